//! Drawdown order keys.
