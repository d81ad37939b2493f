//! A grant as the file writes it (under `grants`, or as a `grant` event),
//! checked and turned into a [`GrantSpec`].

use super::node::Node;
use super::path::Path;
use super::read::{self, Ctx, Fields};
use super::scalar;
use super::schema::Check;
use crate::grant::{GrantKind, GrantSpec, Rollover, Scope};

const GRANT_FIELDS: &[&str] = &[
    "id",
    "kind",
    "amount",
    "priority",
    "effective_at",
    "expires_at",
    "cost_basis",
    "currency",
    "scope",
    "recurrence",
    "rollover",
];
const SCOPE_FIELDS: &[&str] = &["features", "actors"];
const ROLLOVER_FIELDS: &[&str] = &["min", "max"];

impl Check<'_> {
    /// Reads one grant. Ids are checked for uniqueness by the caller.
    pub(super) fn grant(&mut self, node: &Node, path: &Path<'_>) -> Option<GrantSpec> {
        let fields = Fields::open(&mut self.ctx, node, *path, GRANT_FIELDS)?;
        let ctx = &mut self.ctx;
        let id = fields.required(ctx, "id", read::id);
        let kind = fields.required(ctx, "kind", grant_kind);
        let amount = fields.required(ctx, "amount", scalar::amount);
        let priority = fields.optional(ctx, "priority", scalar::priority);
        let effective_at = fields.required(ctx, "effective_at", scalar::time);
        let expires_at = fields.optional(ctx, "expires_at", scalar::time);
        let cost_basis = fields.optional(ctx, "cost_basis", scalar::amount);
        let currency = fields.optional(ctx, "currency", scalar::currency);
        let recurrence = fields.optional(ctx, "recurrence", scalar::period);
        let rollover = fields.optional(ctx, "rollover", rollover);
        let scope = fields
            .get("scope")
            .and_then(|n| self.scope(n, &fields.key_path("scope")));
        if let (Some(effective_at), Some(expires_at)) = (effective_at, expires_at)
            && expires_at <= effective_at
        {
            let message = format!(
                "{expires_at} is not after effective_at ({effective_at}); a grant must be \
                 effective for some time before it expires"
            );
            self.ctx.problem(fields.key_path("expires_at"), message);
        }
        let mut spec = GrantSpec::new(id?, kind?, amount?, effective_at?, self.currency);
        spec.priority = priority.unwrap_or(spec.priority);
        spec.expires_at = expires_at;
        spec.cost_basis = cost_basis.unwrap_or(spec.cost_basis);
        spec.currency = currency.unwrap_or(spec.currency);
        spec.scope = scope.unwrap_or_default();
        spec.recurrence = recurrence;
        spec.rollover = rollover;
        Some(spec)
    }

    /// Reads `{"features": [...], "actors": [...]}`, interning the names.
    fn scope(&mut self, node: &Node, path: &Path<'_>) -> Option<Scope> {
        let fields = Fields::open(&mut self.ctx, node, *path, SCOPE_FIELDS)?;
        let features = self.name_list(fields.get("features"), &fields.key_path("features"));
        let actors = self.name_list(fields.get("actors"), &fields.key_path("actors"));
        Some(Scope {
            features: features
                .iter()
                .map(|name| self.names.feature(name))
                .collect(),
            actors: actors.iter().map(|name| self.names.actor(name)).collect(),
        })
    }

    fn name_list<'n>(&mut self, node: Option<&'n Node>, path: &Path<'_>) -> Vec<&'n str> {
        let Some(items) = node.and_then(|node| read::array(&mut self.ctx, node, path)) else {
            return Vec::new();
        };
        let strings = items.iter().enumerate();
        strings
            .filter_map(|(index, item)| read::string(&mut self.ctx, item, &path.index(index)))
            .collect()
    }
}

pub(super) fn grant_kind(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<GrantKind> {
    let names = GrantKind::ALL.map(GrantKind::code);
    read::one_of(ctx, node, path, "kind", &names, GrantKind::from_code)
}

/// Reads `{"min": ..., "max": ...}`; both bounds are required, since a
/// missing one has no natural default (no floor? no cap?).
fn rollover(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<Rollover> {
    let fields = Fields::open(ctx, node, *path, ROLLOVER_FIELDS)?;
    let min = fields.required(ctx, "min", scalar::amount);
    let max = fields.required(ctx, "max", scalar::amount);
    let (min, max) = (min?, max?);
    let rollover = Rollover::new(min, max);
    if rollover.is_none() {
        ctx.problem(path, format!("min ({min}) is greater than max ({max})"));
    }
    rollover
}
