//! A local AWS Marketplace Metering Service on 127.0.0.1, for tests and for trying metering
//! without an AWS account.
//!
//! It speaks the service's wire protocol (awsJson 1.1 with SigV4) and follows its documented
//! semantics for `MeterUsage`, `BatchMeterUsage`, `ResolveCustomer` and `RegisterUsage`;
//! what it recorded can be read back, so a test can assert what would be billed. The
//! simulator's README lists what each operation checks.
//!
//! ```no_run
//! use marketplace_metering_simulator::{Customer, Product, ProductKind, Simulator};
//!
//! # async fn demo() -> Result<(), marketplace_metering_simulator::Error> {
//! let sim = Simulator::builder()
//!     .product(Product::new("prod-abc", ProductKind::Saas).dimensions(["users"]))
//!     .customer(Customer::new("cust-1", "123456789012").subscribed_to("prod-abc"))
//!     .access_key("AKID", "SECRET")
//!     .start()
//!     .await?;
//! // Point a client at `sim.endpoint_url()` with the credentials AKID / SECRET, meter, then:
//! println!("users billed: {}", sim.billed("prod-abc", "users"));
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # MSRV and stability
//!
//! Rust 1.88. A test tool, 0.x: a minor version may change its API, its configuration file
//! and which of the service's behaviours it simulates; a patch version does not.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod config;
mod faults;
mod http;
mod jwt;
mod quantity;
mod records;
mod service;
mod sigv4;
mod time;
mod wire;

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use config::{Customer, Product, ProductKind, RegistrationToken};
pub use faults::{Fault, Faults};
pub use jwt::generate_signing_key_pkcs8;
pub use records::{Allocation, MeteringRecord, Query, RecordSource, Registration};
pub use time::{format_rfc3339_millis, parse_rfc3339, truncate_to_hour};

use service::{Clock, Service, Settings};

/// Why the simulator could not be configured or started.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is invalid; the message says what and where.
    Config(String),
    /// Reading the configuration file or binding the port failed.
    Io(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(message) => write!(f, "invalid simulator configuration: {message}"),
            Error::Io(e) => write!(f, "simulator I/O error: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Config(_) => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// Configures a [`Simulator`]; from code, from a JSON file, or both (later settings win, lists
/// add up).
#[must_use]
pub struct SimulatorBuilder {
    region: String,
    port: u16,
    products: Vec<Product>,
    customers: Vec<Customer>,
    tokens: Vec<RegistrationToken>,
    buyer_account_id: Option<String>,
    access_keys: Vec<(String, String)>,
    throttle_per_second: Option<f64>,
    unprocessed_share: f64,
    seed: u64,
    public_key_version: i32,
    public_key_rotation: Option<SystemTime>,
    signing_key: Option<Vec<u8>>,
    clock: Clock,
    /// A problem found while reading a file, reported by `start`.
    error: Option<Error>,
}

impl fmt::Debug for SimulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorBuilder")
            .field("region", &self.region)
            .field("port", &self.port)
            .field("products", &self.products)
            .field("customers", &self.customers)
            .field("tokens", &self.tokens)
            .field("buyer_account_id", &self.buyer_account_id)
            .field(
                "access_keys",
                &self
                    .access_keys
                    .iter()
                    .map(|(id, _)| id)
                    .collect::<Vec<_>>(),
            )
            .field("throttle_per_second", &self.throttle_per_second)
            .field("unprocessed_share", &self.unprocessed_share)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        Self {
            region: "us-east-1".to_owned(),
            port: 0,
            products: Vec::new(),
            customers: Vec::new(),
            tokens: Vec::new(),
            buyer_account_id: None,
            access_keys: Vec::new(),
            throttle_per_second: None,
            unprocessed_share: 0.0,
            seed: 0,
            public_key_version: 1,
            public_key_rotation: None,
            signing_key: None,
            clock: Arc::new(SystemTime::now),
            error: None,
        }
    }
}

impl SimulatorBuilder {
    /// Adds a product.
    pub fn product(mut self, product: Product) -> Self {
        self.products.push(product);
        self
    }

    /// Adds a customer.
    pub fn customer(mut self, customer: Customer) -> Self {
        self.customers.push(customer);
        self
    }

    /// Issues a registration token for `ResolveCustomer`.
    pub fn registration_token(mut self, token: RegistrationToken) -> Self {
        self.tokens.push(token);
        self
    }

    /// The AWS account the software metered with `MeterUsage` and `RegisterUsage` runs under
    /// (those requests name no customer). It must be a configured customer's account; that
    /// customer must be subscribed to the product, or the answer is
    /// `CustomerNotEntitledException`. Without one, any caller is entitled.
    pub fn buyer_account(mut self, aws_account_id: impl Into<String>) -> Self {
        self.buyer_account_id = Some(aws_account_id.into());
        self
    }

    /// Accepts requests signed with this access key. With no access key configured,
    /// signatures are not checked at all.
    pub fn access_key(
        mut self,
        access_key_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.access_keys.push((access_key_id.into(), secret.into()));
        self
    }

    /// The region requests must be signed for (default `us-east-1`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// The port to listen on at 127.0.0.1 (default: 0, any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Throttles each access key to this many requests a second (with bursts of as many),
    /// answering `ThrottlingException` beyond it. The real quota is 10; default: off.
    pub fn throttle_per_second(mut self, rate: f64) -> Self {
        self.throttle_per_second = Some(rate);
        self
    }

    /// The share (0.0 to 1.0) of `BatchMeterUsage` records left unprocessed, drawn per record
    /// from a generator seeded with [`seed`](Self::seed), so a run is reproducible.
    pub fn unprocessed_share(mut self, share: f64) -> Self {
        self.unprocessed_share = share;
        self
    }

    /// The seed for the unprocessed-record draw (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The simulator's "now": the 6-hour `MeterUsage` window, the 24-hour `BatchMeterUsage`
    /// window, token expiry and `issuedAt` in `RegisterUsage` signatures are measured from it.
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The public key version `RegisterUsage` accepts and signs for (default 1).
    pub fn public_key_version(mut self, version: i32) -> Self {
        self.public_key_version = version;
        self
    }

    /// Marks the public key as expiring: `RegisterUsage` answers this as
    /// `PublicKeyRotationTimestamp`.
    pub fn public_key_rotation(mut self, at: SystemTime) -> Self {
        self.public_key_rotation = Some(at);
        self
    }

    /// Signs `RegisterUsage` answers with this RSA private key (PKCS#8 DER), instead of the
    /// key generated once per process.
    pub fn signing_key_pkcs8(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.signing_key = Some(der.into());
        self
    }

    /// Reads the JSON configuration file at `path` (see the README for its format).
    pub fn from_file(self, path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        match std::fs::read_to_string(path) {
            Ok(text) => self.from_json(&text),
            Err(e) => self.fail(Error::Config(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    /// Reads a JSON configuration (see the README for its format).
    #[allow(clippy::wrong_self_convention)]
    pub fn from_json(mut self, json: &str) -> Self {
        let file: config::FileConfig = match serde_json::from_str(json) {
            Ok(file) => file,
            Err(e) => return self.fail(Error::Config(format!("configuration JSON: {e}"))),
        };
        let time = |field: &str, text: &str| {
            parse_rfc3339(text)
                .ok_or_else(|| Error::Config(format!("{field}: {text:?} is not an RFC 3339 time")))
        };
        if let Some(region) = file.region {
            self.region = region;
        }
        if let Some(port) = file.port {
            self.port = port;
        }
        for p in file.products {
            self.products
                .push(Product::new(p.code, p.kind).dimensions(p.dimensions));
        }
        for c in file.customers {
            let mut customer = Customer::new(c.identifier, c.aws_account_id);
            customer.subscriptions = c.subscriptions;
            self.customers.push(customer);
        }
        for t in file.registration_tokens {
            let mut token = RegistrationToken::new(t.token, t.customer, t.product_code);
            if let Some(at) = t.expires_at {
                match time("registration_tokens.expires_at", &at) {
                    Ok(at) => token = token.expires_at(at),
                    Err(e) => return self.fail(e),
                }
            }
            self.tokens.push(token);
        }
        if let Some(account) = file.buyer_account_id {
            self.buyer_account_id = Some(account);
        }
        for k in file.access_keys {
            self.access_keys
                .push((k.access_key_id, k.secret_access_key));
        }
        if let Some(rate) = file.throttle_per_second {
            self.throttle_per_second = Some(rate);
        }
        if let Some(share) = file.unprocessed_share {
            self.unprocessed_share = share;
        }
        if let Some(seed) = file.seed {
            self.seed = seed;
        }
        if let Some(version) = file.public_key_version {
            self.public_key_version = version;
        }
        if let Some(at) = file.public_key_rotation {
            match time("public_key_rotation", &at) {
                Ok(at) => self.public_key_rotation = Some(at),
                Err(e) => return self.fail(e),
            }
        }
        if let Some(now) = file.now {
            // A fixed starting time that then runs on with the real clock.
            match time("now", &now) {
                Ok(start) => {
                    let real = SystemTime::now();
                    self.clock = Arc::new(move || start + real.elapsed().unwrap_or_default());
                }
                Err(e) => return self.fail(e),
            }
        }
        self
    }

    fn fail(mut self, error: Error) -> Self {
        self.error.get_or_insert(error);
        self
    }

    fn validate(&self) -> Result<(), Error> {
        let bad = |m: String| Err(Error::Config(m));
        for p in &self.products {
            if p.code.is_empty() {
                return bad("a product has an empty code".into());
            }
            if self.products.iter().filter(|q| q.code == p.code).count() > 1 {
                return bad(format!("product {} is listed twice", p.code));
            }
        }
        for c in &self.customers {
            if c.aws_account_id.is_empty() || !c.aws_account_id.bytes().all(|b| b.is_ascii_digit())
            {
                return bad(format!(
                    "customer {}: AWS account id {:?} is not digits",
                    c.identifier, c.aws_account_id
                ));
            }
            for s in &c.subscriptions {
                if !self.products.iter().any(|p| p.code == *s) {
                    return bad(format!(
                        "customer {} is subscribed to unknown product {s}",
                        c.identifier
                    ));
                }
            }
        }
        for t in &self.tokens {
            if !self.customers.iter().any(|c| c.identifier == t.customer) {
                return bad(format!(
                    "registration token {}: unknown customer {}",
                    t.token, t.customer
                ));
            }
            if !self.products.iter().any(|p| p.code == t.product_code) {
                return bad(format!(
                    "registration token {}: unknown product {}",
                    t.token, t.product_code
                ));
            }
        }
        if let Some(account) = &self.buyer_account_id {
            if !self.customers.iter().any(|c| c.aws_account_id == *account) {
                return bad(format!(
                    "buyer account {account} is not a configured customer's account"
                ));
            }
        }
        if !(0.0..=1.0).contains(&self.unprocessed_share) {
            return bad(format!(
                "unprocessed_share {} is not between 0 and 1",
                self.unprocessed_share
            ));
        }
        if let Some(rate) = self.throttle_per_second {
            if !(rate.is_finite() && rate > 0.0) {
                return bad(format!(
                    "throttle_per_second {rate} is not a positive number"
                ));
            }
        }
        if self.public_key_version < 1 {
            return bad(format!(
                "public_key_version {} is below 1",
                self.public_key_version
            ));
        }
        Ok(())
    }

    /// Starts the simulator on 127.0.0.1 on a task of the current Tokio runtime. The RSA key
    /// for `RegisterUsage` is generated here the first time in a process (about a second in
    /// a debug build).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an invalid configuration, [`Error::Io`] if the port cannot be
    /// bound.
    pub async fn start(mut self) -> Result<Simulator, Error> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.validate()?;
        let signer = match self.signing_key.take() {
            Some(der) => Arc::new(jwt::Signer::from_pkcs8(&der).map_err(Error::Config)?),
            None => tokio::task::spawn_blocking(jwt::process_key)
                .await
                .map_err(|e| Error::Config(format!("key generation failed: {e}")))?,
        };
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await?;
        let addr = listener.local_addr()?;
        let faults = Faults::default();
        let settings = Settings {
            region: self.region,
            products: self.products,
            customers: self.customers,
            tokens: self.tokens,
            buyer_account_id: self.buyer_account_id,
            access_keys: self.access_keys.into_iter().collect::<HashMap<_, _>>(),
            throttle_per_second: self.throttle_per_second,
            unprocessed_share: self.unprocessed_share,
            public_key_version: self.public_key_version,
            public_key_rotation: self.public_key_rotation,
            clock: self.clock,
        };
        let service = Arc::new(Service::new(settings, signer, faults, self.seed));
        let task = tokio::spawn(http::serve(listener, service.clone()));
        Ok(Simulator {
            addr,
            service,
            task: Some(task),
        })
    }
}

/// A running simulator. It stops on [`shutdown`](Self::shutdown) or when dropped.
pub struct Simulator {
    addr: SocketAddr,
    service: Arc<Service>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// A builder with no products, customers or keys, region `us-east-1`, the system clock.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    /// `http://127.0.0.1:PORT`: the endpoint URL to give a client.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The public key `RegisterUsage` signatures verify with, as PEM SubjectPublicKeyInfo
    /// (`-----BEGIN PUBLIC KEY-----`).
    pub fn public_key_pem(&self) -> String {
        self.service.signer().public_key_pem()
    }

    /// The public key version `RegisterUsage` accepts and signs for.
    pub fn public_key_version(&self) -> i32 {
        self.service.public_key_version()
    }

    /// Every record accepted so far, in order.
    pub fn records(&self) -> Vec<MeteringRecord> {
        self.service.records()
    }

    /// Every successful `RegisterUsage` call so far, in order.
    pub fn registrations(&self) -> Vec<Registration> {
        self.service.registrations()
    }

    /// The records `query` selects.
    pub fn query(&self, query: &Query) -> Vec<MeteringRecord> {
        self.records()
            .into_iter()
            .filter(|r| query.matches(r))
            .collect()
    }

    /// The total quantity recorded for `product_code` and `dimension`, over all customers and
    /// hours.
    pub fn billed(&self, product_code: &str, dimension: &str) -> f64 {
        self.billed_where(&Query::new().product(product_code).dimension(dimension))
    }

    /// The total quantity of the records `query` selects.
    pub fn billed_where(&self, query: &Query) -> f64 {
        // Summed exactly in millionths, then converted once.
        let micros: u64 = self
            .query(query)
            .iter()
            .filter_map(|r| quantity::Micros::parse_decimal(&r.quantity_decimal))
            .map(|m| m.0)
            .sum();
        quantity::Micros(micros).to_f64()
    }

    /// The fault switches: queue faults for the next requests, at any time.
    pub fn faults(&self) -> Faults {
        self.service.faults().clone()
    }

    /// How many requests arrived so far (faulted, rejected and throttled ones included).
    pub fn request_count(&self) -> u64 {
        self.service.request_count()
    }

    /// The simulator's current time, from its clock.
    pub fn now(&self) -> SystemTime {
        self.service.now()
    }

    /// Stops accepting connections and closes the open ones.
    pub async fn shutdown(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
