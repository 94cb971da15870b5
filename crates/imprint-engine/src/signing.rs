//! Ed25519 keys in the encodings standard tools read: PKCS#8 PEM for the private key,
//! SPKI PEM for the public key, standard base64 for signatures.
//!
//! Frozen format: `signing_key_id` = `ed25519:` + the first 16 hex digits of the SHA-256
//! of the raw 32-byte public key. Old revisions name their key by this id.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::spki::{DecodePublicKey, EncodePublicKey};
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use crate::EngineError;
use crate::canonical::sha256_hex;

/// A signing key pair. `Debug` never shows the secret.
pub struct KeyPair {
    signing: SigningKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// A key pair from 32 bytes of secret seed; the caller supplies the randomness.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            signing: SigningKey::from_bytes(&seed),
        }
    }

    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, EngineError> {
        SigningKey::from_pkcs8_pem(pem)
            .map(|signing| Self { signing })
            .map_err(|e| EngineError::Key(format!("private key is not an Ed25519 PKCS#8 PEM: {e}")))
    }

    /// The private key as PKCS#8 PEM (what `openssl pkey` reads).
    pub fn to_pkcs8_pem(&self) -> Result<String, EngineError> {
        self.signing
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| pem.to_string())
            .map_err(|e| EngineError::Key(e.to_string()))
    }

    pub fn public(&self) -> PublicKey {
        PublicKey {
            verifying: self.signing.verifying_key(),
        }
    }

    pub fn key_id(&self) -> String {
        self.public().key_id()
    }

    /// Standard base64 of the Ed25519 signature over `message`.
    pub fn sign(&self, message: &[u8]) -> String {
        BASE64.encode(self.signing.sign(message).to_bytes())
    }
}

/// A public key that verifies signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    verifying: VerifyingKey,
}

impl PublicKey {
    pub fn from_spki_pem(pem: &str) -> Result<Self, EngineError> {
        VerifyingKey::from_public_key_pem(pem)
            .map(|verifying| Self { verifying })
            .map_err(|e| EngineError::Key(format!("public key is not an Ed25519 SPKI PEM: {e}")))
    }

    /// The public key as SPKI PEM (what `openssl pkeyutl -verify -pubin` reads).
    pub fn to_spki_pem(&self) -> Result<String, EngineError> {
        self.verifying
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| EngineError::Key(e.to_string()))
    }

    pub fn key_id(&self) -> String {
        let hex = sha256_hex(self.verifying.as_bytes());
        format!("ed25519:{}", &hex[..16])
    }

    /// The whole SHA-256 of the raw public key, hex: what a person compares out of band
    /// before pinning a key (the key id is its first 16 digits).
    pub fn fingerprint(&self) -> String {
        format!("SHA256:{}", sha256_hex(self.verifying.as_bytes()))
    }

    /// Checks a standard-base64 signature over `message`.
    pub fn verify(&self, message: &[u8], signature_b64: &str) -> Result<(), EngineError> {
        let bad = || EngineError::BadSignature {
            key_id: self.key_id(),
        };
        let bytes = BASE64.decode(signature_b64).map_err(|_| bad())?;
        let bytes: [u8; 64] = bytes.try_into().map_err(|_| bad())?;
        self.verifying
            .verify(message, &Signature::from_bytes(&bytes))
            .map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trips_and_signatures_verify() {
        let key = KeyPair::from_seed([42; 32]);
        let pem = key.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let again = KeyPair::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(again.key_id(), key.key_id());

        let public_pem = key.public().to_spki_pem().unwrap();
        assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        let public = PublicKey::from_spki_pem(&public_pem).unwrap();
        let signature = key.sign(b"hello");
        public.verify(b"hello", &signature).unwrap();
        assert!(public.verify(b"hellp", &signature).is_err());
        assert!(public.verify(b"hello", "not base64!").is_err());
    }

    #[test]
    fn key_id_is_stable() {
        // Golden: a change here renames every key ever used.
        let key = KeyPair::from_seed([1; 32]);
        assert!(key.key_id().starts_with("ed25519:"));
        assert_eq!(key.key_id().len(), "ed25519:".len() + 16);
        assert_eq!(key.key_id(), KeyPair::from_seed([1; 32]).key_id());
        assert_ne!(key.key_id(), KeyPair::from_seed([2; 32]).key_id());
    }

    #[test]
    fn rejects_garbage_pem() {
        assert!(KeyPair::from_pkcs8_pem("nope").is_err());
        assert!(
            PublicKey::from_spki_pem(
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
            )
            .is_err()
        );
    }
}

#[cfg(test)]
mod golden {
    use super::*;

    #[test]
    fn seed_nine_public_key_pem() {
        // The public key of the golden envelope (tests/golden/envelope.json), checked in so
        // the README's openssl recipe can be run against it.
        let pem = KeyPair::from_seed([9; 32]).public().to_spki_pem().unwrap();
        assert_eq!(pem, include_str!("../tests/golden/signing.pub"));
    }
}
