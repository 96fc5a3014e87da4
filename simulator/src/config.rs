//! What the simulator knows: products, customers, registration tokens, and the JSON file that
//! describes them.

use std::time::SystemTime;

use serde::Deserialize;

/// How a product is delivered, which decides the operations it is metered with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[non_exhaustive]
pub enum ProductKind {
    /// Software as a service: metered with `BatchMeterUsage`; customers are resolved with
    /// `ResolveCustomer`.
    #[serde(rename = "saas", alias = "SaaS", alias = "Saas", alias = "SAAS")]
    Saas,
    /// An Amazon Machine Image: metered with `MeterUsage` from the buyer's account.
    #[serde(rename = "ami", alias = "AMI", alias = "Ami")]
    Ami,
    /// A container product: `RegisterUsage` at start, or `MeterUsage`, from the buyer's account.
    #[serde(rename = "container", alias = "Container", alias = "CONTAINER")]
    Container,
}

impl ProductKind {
    /// `saas`, `ami` or `container`, as the configuration file spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductKind::Saas => "saas",
            ProductKind::Ami => "ami",
            ProductKind::Container => "container",
        }
    }
}

/// A product listed on the simulated Marketplace.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Product {
    /// The product code, e.g. `prod-abc`.
    pub code: String,
    /// SaaS, AMI or container.
    pub kind: ProductKind,
    /// The usage dimensions it is priced on, e.g. `users`.
    pub dimensions: Vec<String>,
}

impl Product {
    /// A product with no dimensions yet.
    pub fn new(code: impl Into<String>, kind: ProductKind) -> Self {
        Self {
            code: code.into(),
            kind,
            dimensions: Vec::new(),
        }
    }

    /// Adds usage dimensions.
    pub fn dimensions<I, S>(mut self, dimensions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.dimensions
            .extend(dimensions.into_iter().map(Into::into));
        self
    }
}

/// A buyer: an AWS account and, for SaaS, the customer identifier `ResolveCustomer` gives.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Customer {
    /// The customer identifier, e.g. `cust-1`.
    pub identifier: String,
    /// The buyer's AWS account id, twelve digits.
    pub aws_account_id: String,
    /// The product codes the customer is subscribed to (entitled to, for containers).
    pub subscriptions: Vec<String>,
}

impl Customer {
    /// A customer subscribed to nothing yet.
    pub fn new(identifier: impl Into<String>, aws_account_id: impl Into<String>) -> Self {
        Self {
            identifier: identifier.into(),
            aws_account_id: aws_account_id.into(),
            subscriptions: Vec::new(),
        }
    }

    /// Subscribes the customer to a product.
    pub fn subscribed_to(mut self, product_code: impl Into<String>) -> Self {
        self.subscriptions.push(product_code.into());
        self
    }

    /// Whether the customer is subscribed to `product_code`.
    pub fn is_subscribed_to(&self, product_code: &str) -> bool {
        self.subscriptions.iter().any(|p| p == product_code)
    }
}

/// A registration token a buyer's browser would bring to a SaaS registration page.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegistrationToken {
    /// The token text.
    pub token: String,
    /// The customer identifier it resolves to (a configured [`Customer`]).
    pub customer: String,
    /// The product code it resolves to.
    pub product_code: String,
    /// From this time on, `ResolveCustomer` answers `ExpiredTokenException`; never if `None`.
    pub expires_at: Option<SystemTime>,
}

impl RegistrationToken {
    /// A token for `customer` and `product_code` that does not expire.
    pub fn new(
        token: impl Into<String>,
        customer: impl Into<String>,
        product_code: impl Into<String>,
    ) -> Self {
        Self {
            token: token.into(),
            customer: customer.into(),
            product_code: product_code.into(),
            expires_at: None,
        }
    }

    /// Sets when the token expires.
    pub fn expires_at(mut self, at: SystemTime) -> Self {
        self.expires_at = Some(at);
        self
    }
}

/// The configuration file, as read by [`SimulatorBuilder::from_json`](crate::SimulatorBuilder::from_json).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    pub(crate) region: Option<String>,
    pub(crate) port: Option<u16>,
    #[serde(default)]
    pub(crate) products: Vec<FileProduct>,
    #[serde(default)]
    pub(crate) customers: Vec<FileCustomer>,
    #[serde(default)]
    pub(crate) registration_tokens: Vec<FileToken>,
    pub(crate) buyer_account_id: Option<String>,
    #[serde(default)]
    pub(crate) access_keys: Vec<FileAccessKey>,
    pub(crate) throttle_per_second: Option<f64>,
    pub(crate) unprocessed_share: Option<f64>,
    pub(crate) seed: Option<u64>,
    pub(crate) public_key_version: Option<i32>,
    pub(crate) public_key_rotation: Option<String>,
    pub(crate) now: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileProduct {
    pub(crate) code: String,
    pub(crate) kind: ProductKind,
    #[serde(default)]
    pub(crate) dimensions: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileCustomer {
    pub(crate) identifier: String,
    pub(crate) aws_account_id: String,
    #[serde(default)]
    pub(crate) subscriptions: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileToken {
    pub(crate) token: String,
    pub(crate) customer: String,
    pub(crate) product_code: String,
    pub(crate) expires_at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileAccessKey {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
}
