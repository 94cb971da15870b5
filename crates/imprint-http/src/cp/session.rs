//! Control panel sessions: an HttpOnly, SameSite=Strict cookie naming an in-memory
//! session that holds who signed in, a CSRF token, and a one-shot flash message.
//!
//! Sessions live in this process only: a restart signs everyone out, which is the
//! safe failure. Each one remembers the token it was opened with, and every request
//! re-checks that token, so revoking a token ends its sessions too.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};
use imprint_service::auth::Principal;

/// How long a session lasts without signing in again.
const LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// Bounds memory if someone with a valid token signs in in a loop.
const MAX_SESSIONS: usize = 10_000;

#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) principal: Principal,
    /// Sent back with every form; compared in constant time.
    pub(crate) csrf: String,
    created: Instant,
    /// Shown once on the next page: (success, message).
    flash: Option<(bool, String)>,
}

pub(crate) struct Sessions {
    /// Cookies are not isolated by port, so two servers on one host would overwrite
    /// each other's cookie: the port is part of the name.
    cookie_name: String,
    secure: bool,
    sessions: Mutex<HashMap<String, Session>>,
}

/// 32 random bytes in hex.
pub(crate) fn random_hex() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Sessions {
    pub(crate) fn new(public_url: &str) -> Self {
        let port: String = public_url
            .rsplit_once(':')
            .map(|(_, port)| port.chars().take_while(char::is_ascii_digit).collect())
            .unwrap_or_default();
        let cookie_name = if port.is_empty() {
            "imprint_session".to_string()
        } else {
            format!("imprint_session_{port}")
        };
        Self {
            cookie_name,
            secure: public_url.starts_with("https://"),
            sessions: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // A panic while holding the lock leaves a consistent map (every change is a
        // single insert or remove), so a poisoned lock is still usable.
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Opens a session; returns its id (the cookie value).
    pub(crate) fn create(&self, principal: Principal) -> Result<String, getrandom::Error> {
        let id = random_hex()?;
        let session = Session {
            principal,
            csrf: random_hex()?,
            created: Instant::now(),
            flash: None,
        };
        let mut sessions = self.lock();
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, s| s.created.elapsed() < LIFETIME);
            if sessions.len() >= MAX_SESSIONS
                && let Some(oldest) = sessions
                    .iter()
                    .min_by_key(|(_, s)| s.created)
                    .map(|(id, _)| id.clone())
            {
                sessions.remove(&oldest);
            }
        }
        sessions.insert(id.clone(), session);
        Ok(id)
    }

    /// The live session with this id (expired ones are dropped), taking its flash.
    pub(crate) fn open(&self, id: &str) -> Option<(Session, Option<(bool, String)>)> {
        let mut sessions = self.lock();
        let session = sessions.get_mut(id)?;
        if session.created.elapsed() >= LIFETIME {
            sessions.remove(id);
            return None;
        }
        let flash = session.flash.take();
        Some((session.clone(), flash))
    }

    pub(crate) fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    pub(crate) fn flash(&self, id: &str, ok: bool, message: impl Into<String>) {
        if let Some(session) = self.lock().get_mut(id) {
            session.flash = Some((ok, message.into()));
        }
    }

    /// The session id from the request's `Cookie` header.
    pub(crate) fn id_from(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.cookie_name)
            .map(|(_, value)| value.to_string())
    }

    pub(crate) fn set_cookie(&self, id: &str) -> String {
        format!(
            "{}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
            self.cookie_name,
            LIFETIME.as_secs(),
            if self.secure { "; Secure" } else { "" }
        )
    }

    pub(crate) fn clear_cookie(&self) -> String {
        format!(
            "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
            self.cookie_name,
            if self.secure { "; Secure" } else { "" }
        )
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn principal() -> Principal {
        Principal {
            name: "alice".into(),
            token_id: None,
            role: imprint_service::roles::Role::Admin,
        }
    }

    #[test]
    fn cookies_are_strict_http_only_and_named_by_port() {
        let sessions = Sessions::new("http://127.0.0.1:7410");
        let id = sessions.create(principal()).unwrap();
        let cookie = sessions.set_cookie(&id);
        assert!(cookie.starts_with(&format!("imprint_session_7410={id};")));
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        assert!(!cookie.contains("Secure"));
        assert!(
            Sessions::new("https://imprint.example")
                .set_cookie("x")
                .contains("Secure")
        );
    }

    #[test]
    fn the_cookie_header_finds_the_session_and_flashes_show_once() {
        let sessions = Sessions::new("http://127.0.0.1:7410");
        let id = sessions.create(principal()).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; imprint_session_7410={id}")).unwrap(),
        );
        let found = sessions.id_from(&headers).unwrap();
        sessions.flash(&found, true, "published");
        let (session, flash) = sessions.open(&found).unwrap();
        assert_eq!(session.principal.name, "alice");
        assert_eq!(flash, Some((true, "published".to_string())));
        assert_eq!(sessions.open(&found).unwrap().1, None);
        sessions.remove(&found);
        assert!(sessions.open(&found).is_none());
    }
}
