//! Hand-written: the generated paginators of the `paginators` fixture follow their tokens
//! (several, nested), stop on `more_results`, send map tokens, and yield the items of nested
//! list and map result keys. The pages come from mock rules, one per expected request, so a
//! request with other tokens finds no rule and fails the test.

use fixture_paginators::operation::list_tags::ListTagsOutput;
use fixture_paginators::operation::list_things::ListThingsOutput;
use fixture_paginators::operation::scan::ScanOutput;
use fixture_paginators::types::{ListStatus, PageInfo, Thing, Value};
use fixture_paginators::{Client, Config};
use marketplace_sdk_runtime::mock;
use marketplace_sdk_runtime::test_util::Rule;
use std::collections::HashMap;

fn client(rules: Vec<Rule>) -> Client {
    Client::from_conf(Config::builder().mock_rules(rules).build())
}

fn things(names: &[&str]) -> Vec<Thing> {
    names
        .iter()
        .map(|name| Thing::builder().name(*name).build())
        .collect()
}

#[tokio::test]
async fn two_tokens_one_nested_and_the_page_size() {
    let page = |next: Option<&str>,
                marker: Option<&str>,
                expected: (Option<&'static str>, Option<&'static str>),
                names: &'static [&'static str]| {
        let (next, marker) = (next.map(str::to_owned), marker.map(str::to_owned));
        mock!(Client::list_things)
            .match_requests(move |input| {
                (input.next_token(), input.marker()) == expected && input.max_results() == Some(2)
            })
            .then_output(move || {
                ListThingsOutput::builder()
                    .page(
                        PageInfo::builder()
                            .set_things(Some(things(names)))
                            .set_next_token(next.clone())
                            .build(),
                    )
                    .set_marker(marker.clone())
                    .build()
            })
    };
    let rules = vec![
        page(Some("n1"), Some("m1"), (None, None), &["a", "b"]),
        // `Page.NextToken` absent: the next request leaves `NextToken` out.
        page(None, Some("m2"), (Some("n1"), Some("m1")), &["c"]),
        page(None, None, (None, Some("m2")), &["d"]),
    ];
    let client = client(rules.clone());
    let items: Vec<Thing> = client
        .list_things()
        .into_paginator()
        .page_size(2)
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .unwrap();
    let names: Vec<_> = items.iter().filter_map(Thing::name).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert!(rules.iter().all(|rule| rule.num_calls() == 1));
}

#[tokio::test]
async fn nested_more_results_ends_the_pages_and_map_results_are_pairs() {
    let page = |truncated: bool, expected: Option<&'static str>, tag: &'static str| {
        mock!(Client::list_tags)
            .match_requests(move |input| input.cursor() == expected)
            .then_output(move || {
                ListTagsOutput::builder()
                    .tags(tag, "v".to_owned())
                    .status(
                        ListStatus::builder()
                            .truncated(truncated)
                            .cursor(format!("after-{tag}"))
                            .build(),
                    )
                    .build()
            })
    };
    // The second page still has a cursor, but `Status.Truncated` is false.
    let rules = vec![page(true, None, "a"), page(false, Some("after-a"), "b")];
    let client = client(rules.clone());
    let mut items = client.list_tags().into_paginator().items().send();
    let mut tags = Vec::new();
    while let Some(item) = items.next().await {
        tags.push(item.unwrap());
    }
    assert_eq!(tags, [("a".into(), "v".into()), ("b".into(), "v".into())]);
    assert_eq!(rules[1].num_calls(), 1);
}

#[tokio::test]
async fn map_tokens_go_back_as_they_came() {
    let key = HashMap::from([("id".to_owned(), Value::S("row-2".into()))]);
    let first = {
        let key = key.clone();
        mock!(Client::scan)
            .match_requests(|input| {
                input.exclusive_start_key().is_none() && input.limit() == Some(1)
            })
            .then_output(move || {
                ScanOutput::builder()
                    .rows(Some("row-1".into()))
                    .set_last_evaluated_key(Some(key.clone()))
                    .build()
            })
    };
    let expected = key.clone();
    let second = mock!(Client::scan)
        .match_requests(move |input| input.exclusive_start_key() == Some(&expected))
        // An empty map is no token: the last page.
        .then_output(|| {
            ScanOutput::builder()
                .rows(None)
                .set_last_evaluated_key(Some(HashMap::new()))
                .build()
        });
    let client = client(vec![first, second.clone()]);
    let pages: Vec<ScanOutput> = client
        .scan()
        .into_paginator()
        .page_size(1)
        .send()
        .collect::<Result<_, _>>()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(second.num_calls(), 1);
}
