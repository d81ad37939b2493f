//! Models priced from the price catalogue (`catalogue = true`): the loader
//! checks that the catalogue handed over is the one the scenario pins, then
//! fills each such model's price in force on `start`, its context tiers,
//! every dated change inside the horizon and (unless written) its context
//! window. The rest of the simulator sees ordinary models.

use super::doc::{Doc, FieldPath};
use super::error::{ErrorCode, Issue};
use super::shape::closest;
use super::types::{PriceChange, Scenario};
use crate::catalogue::Catalogue;

/// Fills the catalogue models of `scenario`; every problem found.
pub(crate) fn apply(
    scenario: &mut Scenario,
    doc: &Doc<'_>,
    catalogue: Option<&Catalogue>,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    let issue = |code, path: FieldPath, message: String, hint: String| {
        Issue::new(code, doc.locate(&path), path, message).hint(hint)
    };
    let models = FieldPath::root().key("models");
    let mut first_catalogue_model = None;
    for (i, model) in scenario.models.iter().enumerate() {
        let at = models.index(i);
        if !model.catalogue {
            if !doc.is_written(&at.key("price_per_mtok")) {
                issues.push(issue(
                    ErrorCode::MissingField,
                    at,
                    "missing field `price_per_mtok`".to_owned(),
                    "give the provider's price, or set `catalogue = true` to take it from the [catalogue]"
                        .to_owned(),
                ));
            }
            continue;
        }
        first_catalogue_model.get_or_insert(i);
        for field in ["price_per_mtok", "context_tiers", "price_changes"] {
            if doc.is_written(&at.key(field)) {
                issues.push(issue(
                    ErrorCode::Inconsistent,
                    at.key(field),
                    format!("a model with `catalogue = true` takes `{field}` from the catalogue"),
                    "remove it, or remove `catalogue = true` to price the model here".to_owned(),
                ));
            }
        }
    }
    let root = FieldPath::root();
    let (Some(pinned), Some(catalogue)) = (&scenario.catalogue, catalogue) else {
        match (&scenario.catalogue, first_catalogue_model) {
            (None, Some(i)) => issues.push(issue(
                ErrorCode::MissingField,
                models.index(i).key("catalogue"),
                "`catalogue = true`, but the scenario has no [catalogue] table".to_owned(),
                "add [catalogue] with `file` (relative to this file) and `sha256` \
                 (`creditsim prices list` prints it)"
                    .to_owned(),
            )),
            (Some(pinned), _) => issues.push(issue(
                ErrorCode::CatalogueMismatch,
                root.key("catalogue"),
                format!(
                    "the scenario names the catalogue `{}`, but none was read",
                    pinned.file
                ),
                "run it with creditsim, which reads the file relative to the scenario \
                 (in code: sim::scenario::load_with_catalogue)"
                    .to_owned(),
            )),
            (None, None) => {}
        }
        return issues;
    };
    if pinned.sha256 != catalogue.sha256() {
        issues.push(issue(
            ErrorCode::CatalogueMismatch,
            root.key("catalogue").key("sha256"),
            format!(
                "the scenario pins catalogue sha256 {}, but `{}` has sha256 {}",
                pinned.sha256,
                pinned.file,
                catalogue.sha256()
            ),
            format!(
                "the catalogue changed since the scenario was written: review the prices it \
                 relies on and set sha256 = \"{}\", or restore the catalogue it was written for",
                catalogue.sha256()
            ),
        ));
    }
    if !issues.is_empty() {
        return issues;
    }
    let start = scenario.start;
    let last = scenario.last_day().unwrap_or(start);
    for (i, model) in scenario.models.iter_mut().enumerate() {
        if !model.catalogue {
            continue;
        }
        let at = models.index(i);
        let Some((_, entry)) = catalogue.model(&model.id) else {
            let ids: Vec<String> = catalogue.model_ids().collect();
            let hint = match closest(&model.id, ids.iter().map(String::as_str)) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "catalogue ids are `provider/model`; `creditsim prices list` lists them"
                    .to_owned(),
            };
            issues.push(issue(
                ErrorCode::UndefinedReference,
                at.key("id"),
                format!("no model `{}` in the catalogue `{}`", model.id, pinned.file),
                hint,
            ));
            continue;
        };
        match entry.simulated_prices(start, last) {
            Ok((initial, changes)) => {
                model.price_per_mtok = initial.per_mtok;
                model.context_tiers = initial.context_tiers;
                model.price_changes = changes
                    .into_iter()
                    .map(|(date, price)| PriceChange {
                        date,
                        price_per_mtok: price.per_mtok,
                        context_tiers: price.context_tiers,
                    })
                    .collect();
                if let Some(window) = entry.context_window
                    && !doc.is_written(&at.key("context_window_tokens"))
                {
                    model.context_window_tokens = u32::try_from(window).unwrap_or(u32::MAX);
                }
            }
            Err(message) => issues.push(issue(
                ErrorCode::InvalidValue,
                at.key("catalogue"),
                format!("catalogue model `{}` {message}", model.id),
                "write its `price_per_mtok` (and `price_changes`) instead of `catalogue = true`"
                    .to_owned(),
            )),
        }
    }
    issues
}
