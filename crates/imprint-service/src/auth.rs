//! API tokens: create, list, revoke, authenticate. Filled in by the HTTP work.
