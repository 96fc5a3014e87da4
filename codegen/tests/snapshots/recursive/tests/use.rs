//! Hand-written: the generated `recursive` crate builds, reads, writes and validates shapes
//! that contain themselves (A → A, A → B → A, a list and a map of A in A, a union in itself).

use fixture_recursive::operation::walk::{WalkInput, WalkOutput};
use fixture_recursive::types::{Expr, Link, Node};
use serde_json::json;
use std::collections::HashMap;

fn node(name: &str) -> Node {
    Node::builder().name(name).build()
}

fn tree() -> Node {
    Node::builder()
        .name("root")
        .next(
            Node::builder()
                .name("second")
                .children(node("c0"))
                .children(
                    Node::builder()
                        .name("c1")
                        .link(Link::builder().weight(2).back(node("back")).build())
                        .build(),
                )
                .build(),
        )
        .by_name("k", node("keyed"))
        .expr(Expr::Not(Box::new(Expr::All(vec![
            Expr::Literal(1),
            Expr::Node(Box::new(node("in-expr"))),
        ]))))
        .build()
}

fn tree_json() -> serde_json::Value {
    json!({
        "Name": "root",
        "Next": {
            "Name": "second",
            "Children": [
                {"Name": "c0"},
                {"Name": "c1", "Link": {"Back": {"Name": "back"}, "Weight": 2}}
            ]
        },
        "ByName": {"k": {"Name": "keyed"}},
        "Expr": {"Not": {"All": [{"Literal": 1}, {"Node": {"Name": "in-expr"}}]}}
    })
}

#[test]
fn recursive_shapes_round_trip() {
    assert_eq!(serde_json::to_value(tree()).unwrap(), tree_json());
    let back: Node = serde_json::from_value(tree_json()).unwrap();
    assert_eq!(back, tree());

    // Getters see through the boxes.
    let second: &Node = back.next().unwrap();
    assert_eq!(second.name(), Some("second"));
    let back_link: &Node = second.children()[1].link().unwrap().back().unwrap();
    assert_eq!(back_link.name(), Some("back"));
    assert_eq!(back.by_name().unwrap()["k"].name(), Some("keyed"));
    let Some(Expr::Not(inner)) = back.expr() else {
        panic!("{:?}", back.expr());
    };
    assert_eq!(inner.as_all().unwrap().len(), 2);
    assert_eq!(
        inner.as_all().unwrap()[1].as_node().unwrap().name(),
        Some("in-expr")
    );
}

#[test]
fn deep_nesting_reads_and_writes() {
    let mut deep = node("leaf");
    for i in 0..100 {
        deep = Node::builder().name(format!("n{i}")).next(deep).build();
    }
    let text = serde_json::to_string(&deep).unwrap();
    let back: Node = serde_json::from_str(&text).unwrap();
    assert_eq!(back, deep);
    let input = WalkInput::builder().root(deep).build().unwrap();
    assert_eq!(input.root().unwrap().name(), Some("n99"));
}

fn error_of(root: Node, expr: Option<Expr>) -> (String, String) {
    let error = WalkInput::builder()
        .root(root)
        .set_expr(expr)
        .build()
        .expect_err("invalid input");
    (error.path().to_owned(), error.problem().to_owned())
}

#[test]
fn validation_walks_into_recursive_members() {
    WalkInput::builder().root(tree()).build().unwrap();
    assert_eq!(WalkInput::builder().build().unwrap_err().path(), "Root");

    let mut bad_back = tree();
    bad_back.next.as_mut().unwrap().children.as_mut().unwrap()[1]
        .link
        .as_mut()
        .unwrap()
        .back = Some(Box::new(node("")));
    let (path, problem) = error_of(bad_back, None);
    assert_eq!(path, "Root.Next.Children[1].Link.Back.Name");
    assert!(problem.contains("below the minimum 1"), "{problem}");

    let mut nameless = tree();
    nameless.by_name = Some(HashMap::from([("k".into(), Node::default())]));
    let (path, problem) = error_of(nameless, None);
    assert_eq!(path, "Root.ByName[\"k\"].Name");
    assert!(problem.contains("required"), "{problem}");

    // Keys have their shape's limits too (`Name`: 1 to 8 characters), as botocore checks.
    for (key, problem) in [
        ("", "key length 0 is below the minimum 1"),
        ("ninechars", "key length 9 is above the maximum 8"),
    ] {
        let mut bad_key = tree();
        bad_key.by_name = Some(HashMap::from([(key.to_owned(), node("ok"))]));
        assert_eq!(
            error_of(bad_key, None),
            (format!("Root.ByName[{key:?}]"), problem.to_owned())
        );
    }

    let mut crowded = tree();
    crowded.children = Some(vec![node("a"); 5]);
    let (path, problem) = error_of(crowded, None);
    assert_eq!(path, "Root.Children");
    assert!(problem.contains("above the maximum 4"), "{problem}");

    let mut bad_weight = tree();
    bad_weight.link = Some(Box::new(Link::builder().weight(-3).build()));
    assert_eq!(error_of(bad_weight, None).0, "Root.Link.Weight");
}

#[test]
fn validation_walks_into_recursive_unions() {
    let nested = Expr::Not(Box::new(Expr::All(vec![
        Expr::Literal(0),
        Expr::Literal(-1),
    ])));
    let (path, problem) = error_of(tree(), Some(nested));
    assert_eq!(path, "Expr.Not.All[1].Literal");
    assert!(problem.contains("below the minimum 0"), "{problem}");

    let (path, problem) = error_of(tree(), Some(Expr::All(vec![])));
    assert_eq!(path, "Expr.All");
    assert!(problem.contains("below the minimum 1"), "{problem}");

    let through_node = Expr::Node(Box::new(
        Node::builder()
            .name("n")
            .expr(Expr::Not(Box::new(Expr::Literal(-5))))
            .build(),
    ));
    assert_eq!(
        error_of(tree(), Some(through_node)).0,
        "Expr.Node.Expr.Not.Literal"
    );

    // The same union inside the tree.
    let mut in_tree = tree();
    in_tree.expr = Some(Box::new(Expr::Node(Box::default())));
    assert_eq!(error_of(in_tree, None).0, "Root.Expr.Node.Name");
}

#[test]
fn outputs_are_not_validated() {
    // The service's answer is read as sent, even when it breaks the input constraints.
    let output: WalkOutput = serde_json::from_value(json!({
        "Root": {"Next": {"Name": ""}},
        "Visited": -1
    }))
    .unwrap();
    assert_eq!(output.root().unwrap().name(), None);
    assert_eq!(output.visited(), Some(-1));
}

#[test]
fn debug_prints_nested_values() {
    let text = format!("{:?}", tree());
    for name in ["root", "second", "c1", "back", "keyed", "in-expr"] {
        assert!(text.contains(name), "{name} missing from {text}");
    }
}
