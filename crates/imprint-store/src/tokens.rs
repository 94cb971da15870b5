//! API tokens, stored hashed. Filled in by the HTTP work.

/// Storage for API tokens. Every method is one transaction.
pub trait TokenStore: Send + Sync {}
