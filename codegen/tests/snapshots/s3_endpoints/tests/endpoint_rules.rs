//! Hand-written: the resolver generated from S3's real endpoint rule set, with no S3-specific
//! code anywhere, against the reference rules engine.
//!
//! `tests/data/endpoint_cases.json` holds what botocore's own rules engine answers for
//! `codegen/tests/fixtures/s3_endpoints.rules.json` (see `derive_endpoint_cases.py` there).
//! The generated `resolve` must give the same URL, headers and properties (the auth schemes
//! to sign with), or the same error message, for every case.
//!
//! Except one way: where botocore exhausts a tree rule (no rule inside it matches after its
//! own conditions held), it goes on with the next rule, while the Smithy specification
//! makes that an error ("rule exhaustion"), which is what the generated code returns. The
//! table marks those cases `tree_exhausted`; botocore's answer there must still be an error.

use std::collections::{BTreeMap, BTreeSet};

use fixture_s3_endpoints::endpoint::{resolve, Params};
use serde_json::{Map, Value};

fn cases() -> Vec<Value> {
    let table: Value =
        serde_json::from_str(include_str!("data/endpoint_cases.json")).expect("the table is JSON");
    table["cases"].as_array().expect("a case list").clone()
}

/// The rule set's parameters, by wire name, as the table writes them.
const PARAMETERS: &[&str] = &[
    "Bucket",
    "Region",
    "UseFIPS",
    "UseDualStack",
    "Endpoint",
    "ForcePathStyle",
    "Accelerate",
    "UseGlobalEndpoint",
    "UseObjectLambdaEndpoint",
    "Key",
    "Prefix",
    "CopySource",
    "DisableAccessPoints",
    "DisableMultiRegionAccessPoints",
    "UseArnRegion",
    "UseS3ExpressControlEndpoint",
    "DisableS3ExpressSessionAuth",
];

/// The case's parameters; those it leaves out keep the rule set's defaults, as in botocore.
fn params(case: &Value) -> Params {
    let p = case["params"].as_object().expect("params object");
    for name in p.keys() {
        assert!(
            PARAMETERS.contains(&name.as_str()),
            "unknown parameter {name}"
        );
    }
    let string = |name: &str| p.get(name).map(|v| v.as_str().expect(name).to_owned());
    let flag = |name: &str| p.get(name).map(|v| v.as_bool().expect(name));
    let defaults = Params::default();
    Params {
        bucket: string("Bucket"),
        region: string("Region"),
        use_fips: flag("UseFIPS").unwrap_or(defaults.use_fips),
        use_dual_stack: flag("UseDualStack").unwrap_or(defaults.use_dual_stack),
        endpoint: string("Endpoint"),
        force_path_style: flag("ForcePathStyle").unwrap_or(defaults.force_path_style),
        accelerate: flag("Accelerate").unwrap_or(defaults.accelerate),
        use_global_endpoint: flag("UseGlobalEndpoint").unwrap_or(defaults.use_global_endpoint),
        use_object_lambda_endpoint: flag("UseObjectLambdaEndpoint"),
        key: string("Key"),
        prefix: string("Prefix"),
        copy_source: string("CopySource"),
        disable_access_points: flag("DisableAccessPoints"),
        disable_multi_region_access_points: flag("DisableMultiRegionAccessPoints")
            .unwrap_or(defaults.disable_multi_region_access_points),
        use_arn_region: flag("UseArnRegion"),
        use_s3_express_control_endpoint: flag("UseS3ExpressControlEndpoint"),
        disable_s3_express_session_auth: flag("DisableS3ExpressSessionAuth"),
    }
}

/// What botocore answered, in the shape `resolve` answers.
#[derive(Debug, PartialEq)]
enum Outcome {
    Endpoint {
        url: String,
        headers: BTreeMap<String, Vec<String>>,
        properties: Map<String, Value>,
    },
    Error(String),
}

/// The generated resolver's error when a tree rule is exhausted.
const RULE_EXHAUSTION: &str = "no endpoint rule matched the parameters";

fn expected(case: &Value) -> Outcome {
    let expect = &case["expect"];
    if case.get("tree_exhausted") == Some(&Value::Bool(true)) {
        assert!(
            expect.get("error").is_some(),
            "botocore found an endpoint after exhausting a tree rule: {case}"
        );
        return Outcome::Error(RULE_EXHAUSTION.to_owned());
    }
    if let Some(message) = expect.get("error") {
        return Outcome::Error(message.as_str().expect("error text").to_owned());
    }
    let headers = expect.get("headers").map_or_else(BTreeMap::new, |h| {
        serde_json::from_value(h.clone()).expect("headers: name to list of values")
    });
    let properties = expect
        .get("properties")
        .map_or_else(Map::new, |p| p.as_object().expect("properties").clone());
    Outcome::Endpoint {
        url: expect["url"].as_str().expect("url").to_owned(),
        headers,
        properties,
    }
}

fn actual(params: &Params) -> Outcome {
    match resolve(params) {
        Ok(endpoint) => Outcome::Endpoint {
            url: endpoint.url().to_owned(),
            headers: endpoint.headers().clone(),
            properties: endpoint.properties().clone(),
        },
        Err(error) => Outcome::Error(error.message().to_owned()),
    }
}

#[test]
fn every_case_matches_the_reference_rules_engine() {
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let (want, got) = (expected(case), actual(&params(case)));
        if want != got {
            failures.push(format!(
                "{}\n    expected {want:?}\n    got      {got:?}",
                case["params"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The table is worth something only if it reaches the rule set's corners: every
/// parameter, every partition, every auth scheme, many of the rule set's own errors.
#[test]
fn the_table_covers_the_rule_set() {
    let cases = cases();
    assert!(cases.len() > 500, "{} cases", cases.len());
    let used: BTreeSet<&str> = cases
        .iter()
        .flat_map(|c| c["params"].as_object().unwrap().keys())
        .map(String::as_str)
        .collect();
    assert_eq!(used, PARAMETERS.iter().copied().collect());

    let rule_set: Value =
        serde_json::from_str(include_str!("../../../fixtures/s3_endpoints.rules.json")).unwrap();
    let declared: BTreeSet<&str> = rule_set["parameters"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(declared, PARAMETERS.iter().copied().collect());

    let urls: Vec<&str> = cases
        .iter()
        .filter_map(|c| c["expect"]["url"].as_str())
        .collect();
    for suffix in [
        ".amazonaws.com",
        ".amazonaws.com.cn",
        ".c2s.ic.gov",
        ".sc2s.sgov.gov",
        ".cloud.adc-e.uk",
        ".csp.hci.ic.gov",
        ".amazonaws.eu",
    ] {
        assert!(
            urls.iter().any(|u| u
                .split('/')
                .nth(2)
                .is_some_and(|host| host.ends_with(suffix))),
            "no endpoint under {suffix}"
        );
    }
    for part in [
        "s3-fips.",
        "s3.dualstack.",
        "s3-accelerate.",
        "s3-accesspoint.",
        "s3-outposts.",
        "s3-object-lambda.",
        "s3express-control.",
        "s3express-",
        ".mrap.accesspoint.s3-global.",
        "://example.com/path/bucket-name",
        "://127.0.0.1:9000/",
        "://[::1]:8080/",
    ] {
        assert!(urls.iter().any(|u| u.contains(part)), "no URL with {part}");
    }

    let schemes: BTreeSet<&str> = cases
        .iter()
        .filter_map(|c| c["expect"]["properties"]["authSchemes"].as_array())
        .flatten()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(
        schemes,
        BTreeSet::from(["sigv4", "sigv4-s3express", "sigv4a"])
    );

    // Every error rule of the rule set, by its text up to the first `{placeholder}`.
    fn error_rules<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(object) => {
                if object.get("type") == Some(&Value::from("error")) {
                    out.extend(object["error"].as_str());
                }
                object.values().for_each(|v| error_rules(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| error_rules(v, out)),
            _ => {}
        }
    }
    let mut templates = Vec::new();
    error_rules(&rule_set["rules"], &mut templates);
    assert!(templates.len() > 50, "{} error rules", templates.len());
    let errors: BTreeSet<&str> = cases
        .iter()
        .filter_map(|c| c["expect"]["error"].as_str())
        .collect();
    for template in templates {
        let prefix = template.split('{').next().unwrap_or(template);
        assert!(
            errors.iter().any(|e| e.starts_with(prefix)),
            "no case for the error rule {template:?}"
        );
    }

    // The divergence from botocore stays the exception.
    let exhausted = cases
        .iter()
        .filter(|c| c.get("tree_exhausted").is_some())
        .count();
    assert!(exhausted < 10, "{exhausted} cases exhaust a tree rule");
}

#[test]
fn defaults_are_the_rule_sets() {
    let params = Params::default();
    assert!(!params.use_fips && !params.use_dual_stack && !params.force_path_style);
    assert_eq!(params.use_arn_region, None);
    assert_eq!(
        resolve(&params).unwrap_err().to_string(),
        "A region must be set when sending requests to S3."
    );
}
