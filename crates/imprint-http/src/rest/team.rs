//! The team routes a member's machine reads: `GET /v1/keyring` (current and retired keys,
//! retirement times, endorsements). The artifact itself is `GET /v1/config/{client}/{profile}`.

use axum::Json;
use axum::routing::get;
use imprint_service::team::{GetKeyring, Keyring};

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/v1/keyring", get(get_keyring))
}

async fn get_keyring(caller: Caller) -> ApiResult<Json<Keyring>> {
    caller.run(|s| s.get_keyring(GetKeyring {})).await.map(Json)
}
