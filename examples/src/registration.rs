//! The registration page of a SaaS product: AWS Marketplace sends the buyer there with a
//! form POST whose `x-amzn-marketplace-token` field the back end resolves to a customer.

use marketplace_metering::{Client, Error};

/// The registration token in a form-encoded POST body, if there is one.
pub fn registration_token(form_body: &[u8]) -> Option<String> {
    form_urlencoded::parse(form_body)
        .find(|(name, _)| name == "x-amzn-marketplace-token")
        .map(|(_, value)| value.into_owned())
        .filter(|token| !token.is_empty())
}

/// The customer a registration is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCustomer {
    /// The customer identifier to meter under.
    pub customer_identifier: String,
    /// The product the customer subscribed to.
    pub product_code: String,
    /// The customer's AWS account.
    pub customer_aws_account_id: Option<String>,
}

/// Resolves the token of a registration POST.
pub async fn resolve(client: &Client, form_body: &[u8]) -> Result<Option<NewCustomer>, Error> {
    let Some(token) = registration_token(form_body) else {
        return Ok(None);
    };
    let out = client
        .resolve_customer()
        .registration_token(token)
        .send()
        .await?;
    Ok(Some(NewCustomer {
        customer_identifier: out.customer_identifier().unwrap_or_default().to_owned(),
        product_code: out.product_code().unwrap_or_default().to_owned(),
        customer_aws_account_id: out.customer_aws_account_id().map(str::to_owned),
    }))
}
