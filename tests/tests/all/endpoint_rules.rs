//! The generated endpoint resolver against the reference rules engine.
//!
//! `tests/data/endpoint_cases.json` holds what botocore's own rules engine answers
//! for our vendored rule set and partitions (see `derive_endpoint_cases.py` there):
//! every region of every partition with FIPS and dual-stack on and off, regions that
//! match only a partition's regex, an unknown region, custom endpoints and a missing
//! region. The generated `resolve` must give the same URL or the same error message.

use marketplace_metering::endpoint::{resolve, Params};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let table: Value =
        serde_json::from_str(include_str!("../../data/endpoint_cases.json")).unwrap();
    table["cases"].as_array().unwrap().clone()
}

fn params(case: &Value) -> Params {
    let p = &case["params"];
    Params {
        region: p.get("Region").and_then(Value::as_str).map(str::to_owned),
        use_fips: p["UseFIPS"].as_bool().unwrap(),
        use_dual_stack: p["UseDualStack"].as_bool().unwrap(),
        endpoint: p.get("Endpoint").and_then(Value::as_str).map(str::to_owned),
    }
}

#[test]
fn every_case_matches_the_reference_rules_engine() {
    let cases = cases();
    assert!(
        cases.len() > 250,
        "the table covers every region of every partition"
    );
    let mut failures = Vec::new();
    for case in &cases {
        let got = resolve(&params(case));
        let expect = &case["expect"];
        let ok = match (expect.get("url").and_then(Value::as_str), &got) {
            (Some(url), Ok(endpoint)) => endpoint.url() == url && endpoint.headers().is_empty(),
            (None, Err(error)) => Some(error.message()) == expect["error"].as_str(),
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}: expected {expect}, got {got:?}",
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

#[test]
fn the_table_covers_partitions_options_and_errors() {
    let cases = cases();
    let partitions: Value = serde_json::from_str(include_str!(
        "../../../model/meteringmarketplace/partitions.json"
    ))
    .unwrap();
    for partition in partitions["partitions"].as_array().unwrap() {
        for region in partition["regions"].as_object().unwrap().keys() {
            for (fips, dual_stack) in [(false, false), (false, true), (true, false), (true, true)] {
                let covered = cases.iter().any(|c| {
                    c["params"]["Region"] == region.as_str()
                        && c["params"]["UseFIPS"] == fips
                        && c["params"]["UseDualStack"] == dual_stack
                });
                assert!(
                    covered,
                    "{region} fips={fips} dual_stack={dual_stack} is not in the table"
                );
            }
        }
    }
    let errors: Vec<&str> = cases
        .iter()
        .filter_map(|c| c["expect"]["error"].as_str())
        .collect();
    for message in [
        "Invalid Configuration: Missing Region",
        "Invalid Configuration: FIPS and custom endpoint are not supported",
        "Invalid Configuration: Dualstack and custom endpoint are not supported",
    ] {
        assert!(errors.contains(&message), "no case for {message:?}");
    }
}

#[test]
fn defaults_are_the_rule_sets() {
    let params = Params::default();
    assert!(!params.use_fips && !params.use_dual_stack);
    assert_eq!(
        resolve(&params).unwrap_err().to_string(),
        "Invalid Configuration: Missing Region"
    );
}
