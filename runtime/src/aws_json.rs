//! The awsJson 1.0 / 1.1 protocol: how a request looks and how an error response
//! is read. <https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html>

use crate::error::ErrorMetadata;

/// The `Content-Type` of awsJson requests for a model's `jsonVersion`.
pub fn content_type(json_version: &str) -> String {
    format!("application/x-amz-json-{json_version}")
}

/// The `X-Amz-Target` header: `<targetPrefix>.<OperationName>`.
pub fn target(target_prefix: &str, operation: &str) -> String {
    format!("{target_prefix}.{operation}")
}

/// Reads code, message and request id from an error response.
///
/// The code comes from the `X-Amzn-Errortype` header, else the body's `code`, else
/// its `__type`; of that, what precedes the first `:` and follows the last `#`
/// (`aws.protocoltests#FooError:http://...` → `FooError`). The message is the body's
/// `message`, `Message` or `errorMessage`. A body that is not a JSON object leaves
/// those unset; the caller reports the status and the body.
pub fn error_metadata(
    status: u16,
    header: impl Fn(&str) -> Option<String>,
    body: &[u8],
) -> ErrorMetadata {
    let document = serde_json::from_slice::<serde_json::Value>(body).ok();
    let object = document.as_ref().and_then(serde_json::Value::as_object);
    let field = |name: &str| {
        object
            .and_then(|o| o.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let code = header("x-amzn-errortype")
        .or_else(|| field("code"))
        .or_else(|| field("__type"))
        .map(|raw| sanitize_error_code(&raw).to_owned())
        .filter(|code| !code.is_empty());
    let message = field("message")
        .or_else(|| field("Message"))
        .or_else(|| field("errorMessage"));
    let request_id = header("x-amzn-requestid");
    ErrorMetadata::new(code, message, request_id, Some(status))
}

/// `ns#Code:uri` → `Code`.
pub fn sanitize_error_code(raw: &str) -> &str {
    let before_colon = raw.split(':').next().unwrap_or(raw);
    before_colon
        .rsplit('#')
        .next()
        .unwrap_or(before_colon)
        .trim()
}

/// Whether the body's first token opens a JSON object (cheap; the parse that
/// follows checks the rest).
pub fn starts_object(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Whether the body is a JSON object, so the error's members can be read from it.
pub fn is_json_object(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body).is_ok()
}

/// The start of a body for an error message: at most 200 characters, lossily decoded.
pub fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(800)]);
    let mut excerpt: String = text.chars().take(200).collect();
    if excerpt.len() < text.len() || body.len() > 800 {
        excerpt.push('…');
    }
    excerpt
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(header: Option<&str>, body: &str) -> ErrorMetadata {
        error_metadata(
            400,
            |name| {
                (name == "x-amzn-errortype")
                    .then(|| header.map(str::to_owned))
                    .flatten()
            },
            body.as_bytes(),
        )
    }

    #[test]
    fn reads_the_code_from_header_then_code_then_type() {
        assert_eq!(
            meta(Some("FooError:http://internal/"), r#"{"__type":"Bar"}"#).code(),
            Some("FooError")
        );
        assert_eq!(
            meta(None, r#"{"code":"ns#Baz","__type":"Bar"}"#).code(),
            Some("Baz")
        );
        assert_eq!(
            meta(
                None,
                r#"{"__type":"aws.protocoltests.restjson#FooError:http://x"}"#
            )
            .code(),
            Some("FooError")
        );
        assert_eq!(meta(None, "<html>").code(), None);
    }

    #[test]
    fn reads_the_message_in_any_spelling() {
        for body in [
            r#"{"message":"m"}"#,
            r#"{"Message":"m"}"#,
            r#"{"errorMessage":"m"}"#,
        ] {
            assert_eq!(meta(None, body).message(), Some("m"));
        }
    }

    #[test]
    fn a_query_error_header_gives_the_code_and_type_as_botocore_reads_it() {
        let body = r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"gone"}"#;
        let with = |header: Option<&str>| meta(None, body).with_query_error(header);
        let meta = with(Some("AWS.SimpleQueueService.NonExistentQueue;Sender"));
        assert_eq!(meta.code(), Some("AWS.SimpleQueueService.NonExistentQueue"));
        assert_eq!(meta.protocol_code(), Some("QueueDoesNotExist"));
        assert_eq!(meta.query_error_type(), Some("Sender"));
        assert_eq!(meta.message(), Some("gone"));
        // An empty type still counts: botocore needs two parts and a code.
        let meta = with(Some("AWS.SimpleQueueService.NonExistentQueue;"));
        assert_eq!(meta.code(), Some("AWS.SimpleQueueService.NonExistentQueue"));
        assert_eq!(meta.query_error_type(), Some(""));
        // No header, an empty one, no `;`, no code, or more than two parts: the JSON
        // code stands and there is no type.
        for header in [
            None,
            Some(""),
            Some("NoSemicolon"),
            Some(";Sender"),
            Some("A;B;C"),
        ] {
            let meta = with(header);
            assert_eq!(meta.code(), Some("QueueDoesNotExist"), "{header:?}");
            assert_eq!(
                meta.protocol_code(),
                Some("QueueDoesNotExist"),
                "{header:?}"
            );
            assert_eq!(meta.query_error_type(), None, "{header:?}");
        }
        // A body without a code: the header's code is the code, and there is no
        // protocol code.
        let html = self::meta(None, "<html>").with_query_error(Some("InternalError;Receiver"));
        assert_eq!(html.code(), Some("InternalError"));
        assert_eq!(html.protocol_code(), None);
        assert_eq!(html.query_error_type(), Some("Receiver"));
    }
}
