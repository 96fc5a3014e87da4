//! A request as the server read it and the reply the service chooses: what the HTTP server
//! and the service share, so neither imports the other's internals.

/// One request as received.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) target: String,
    /// Names lowercased, values trimmed, in the order received.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Request {
    /// The first header called `name` (lowercase).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What to do with a request.
#[derive(Debug)]
pub(crate) enum Reply {
    /// Send a response.
    Response {
        status: u16,
        /// `__type` of an error answer, sent as `x-amzn-ErrorType` too.
        error_type: Option<String>,
        body: String,
    },
    /// Reset the connection without answering.
    Reset,
}
