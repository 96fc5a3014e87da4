//! A paid container product calls `RegisterUsage` once when it starts: the service says
//! whether the buyer is entitled, and starts hourly billing for the task or pod.

use marketplace_metering::operation::register_usage::RegisterUsageError;
use marketplace_metering::{Client, Error};

/// Whether the container may run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entitlement {
    /// Entitled; the signed token to check with the public key (see
    /// `marketplace-metering-toolkit`'s verifier).
    Entitled {
        /// The JWT the service signed.
        signature: String,
    },
    /// The buyer has no entitlement to the product: stop.
    NotEntitled,
}

/// Registers this container for `product_code` with public key version 1 and `nonce`.
pub async fn register(
    client: &Client,
    product_code: &str,
    nonce: &str,
) -> Result<Entitlement, Error> {
    match client
        .register_usage()
        .product_code(product_code)
        .public_key_version(1)
        .nonce(nonce)
        .send()
        .await
    {
        Ok(out) => Ok(Entitlement::Entitled {
            signature: out.signature().unwrap_or_default().to_owned(),
        }),
        Err(error)
            if matches!(
                error.as_service_error(),
                Some(RegisterUsageError::CustomerNotEntitledException(_))
            ) =>
        {
            Ok(Entitlement::NotEntitled)
        }
        Err(error) => Err(error.into()),
    }
}
