//! Custom claim checks: the caller's own rules, run after the signature
//! and the registered claims have passed.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::claims::ClaimFailure;
use crate::error::{ClaimReason, Error, Result};

/// Why a typed claim check (see
/// [`VerifyOptions::validate`](super::VerifyOptions::validate)) refused a
/// token: the claim at fault and what is wrong with it. It becomes
/// [`Error::JwtClaimValidationFailed`] with [`ClaimReason::CheckFailed`].
///
/// ```
/// use rjose::jwt::ClaimError;
///
/// let error = ClaimError::new("scope", "does not grant \"read\"");
/// assert_eq!(error.claim(), "scope");
/// assert_eq!(error.message(), "does not grant \"read\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimError {
    claim: String,
    message: String,
}

impl ClaimError {
    /// A refusal of `claim`, explained by `message`.
    pub fn new(claim: impl Into<String>, message: impl Into<String>) -> Self {
        ClaimError {
            claim: claim.into(),
            message: message.into(),
        }
    }

    /// The claim at fault.
    pub fn claim(&self) -> &str {
        &self.claim
    }

    /// What is wrong with it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ClaimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\" claim: {}", self.claim, self.message)
    }
}

impl std::error::Error for ClaimError {}

type Check = Arc<dyn Fn(&Map<String, Value>) -> Result<()> + Send + Sync>;

/// The custom checks of one set of options, in the order they were added.
#[derive(Clone, Default)]
pub(crate) struct ClaimChecks(Vec<Check>);

impl fmt::Debug for ClaimChecks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} custom check(s)", self.0.len())
    }
}

impl ClaimChecks {
    /// A check of one claim, which must be present.
    pub(crate) fn push_claim(
        &mut self,
        name: String,
        check: impl Fn(&Value) -> std::result::Result<(), String> + Send + Sync + 'static,
    ) {
        self.0.push(Arc::new(move |claims| {
            let failure = match claims.get(&name) {
                None => ClaimFailure::new(
                    name.as_str(),
                    ClaimReason::Missing,
                    format!("missing required \"{name}\" claim"),
                ),
                Some(value) => match check(value) {
                    Ok(()) => return Ok(()),
                    Err(reason) => ClaimFailure::new(name.as_str(), ClaimReason::CheckFailed, reason),
                },
            };
            Err(failure.into_error(claims.clone()))
        }));
    }

    /// A check of the whole claims set, read as `T`.
    pub(crate) fn push_typed<T: DeserializeOwned + 'static>(
        &mut self,
        check: impl Fn(&T) -> std::result::Result<(), ClaimError> + Send + Sync + 'static,
    ) {
        self.0.push(Arc::new(move |claims| {
            let typed = T::deserialize(claims).map_err(|e| {
                Error::JwtInvalid(format!(
                    "JWT claims do not match the type of a custom check ({}): {e}",
                    std::any::type_name::<T>()
                ))
            })?;
            check(&typed).map_err(|ClaimError { claim, message }| {
                ClaimFailure::new(claim, ClaimReason::CheckFailed, message).into_error(claims.clone())
            })
        }));
    }

    /// Runs every check over `payload`, a claims set the registered-claim
    /// rules have passed. Without checks it does nothing, not even parse.
    pub(crate) fn run(&self, payload: &[u8]) -> Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        let claims = super::verify::parse_claims(payload)?;
        self.0.iter().try_for_each(|check| check(&claims))
    }
}
