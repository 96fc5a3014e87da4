//! Mock rules: an operation answered with an output or an error the test
//! chooses, matched on its typed input, with nothing signed or sent. With a
//! generated crate (the README of this repository has it as a compiled
//! example):
//!
//! ```text
//! let rule = mock!(Client::meter_usage)
//!     .match_requests(|input| input.product_code() == Some("prod-abc"))
//!     .then_output(|| MeterUsageOutput::builder().metering_record_id("r-1").build());
//! let client = Client::from_conf(Config::builder().mock_rules([rule.clone()]).build());
//! // ... the code under test calls client.meter_usage() ...
//! assert_eq!(rule.num_calls(), 1);
//! ```

use crate::error::{ConfigError, SdkError};
use crate::operation::{FluentBuilder, Operation};
use std::any::Any;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Starts a mock rule for the operation of a client method:
/// `mock!(Client::meter_usage)`. Then say which inputs it answers
/// ([`RuleBuilder::match_requests`], every input by default) and with what
/// ([`RuleBuilder::then_output`], [`RuleBuilder::then_error`],
/// [`RuleBuilder::sequence`]), and hand the rules to
/// `Config::builder().mock_rules([..])`.
#[macro_export]
macro_rules! mock {
    ($($method:tt)+) => {
        $crate::test_util::mock_operation($($method)+)
    };
}

/// What [`mock!`] expands to: a rule builder for the operation whose fluent
/// builder `method` returns.
pub fn mock_operation<C, B: FluentBuilder>(_method: fn(&C) -> B) -> RuleBuilder<B::Input> {
    RuleBuilder {
        matcher: Arc::new(|_| true),
    }
}

/// An answer of a rule: the operation's output or error, boxed without its type.
type Respond = Arc<dyn Fn() -> Box<dyn Any + Send> + Send + Sync>;

/// Which inputs a rule answers: the operation's input, without its type.
type Matcher = Arc<dyn Fn(&dyn Any) -> bool + Send + Sync>;

/// A rule being built for the operation with input `I`.
pub struct RuleBuilder<I: Operation> {
    matcher: Arc<dyn Fn(&I) -> bool + Send + Sync>,
}

impl<I: Operation> RuleBuilder<I> {
    /// Answers only the inputs for which `matches` is true (checked after the
    /// input passed the model's validation, with its idempotency token filled).
    pub fn match_requests(mut self, matches: impl Fn(&I) -> bool + Send + Sync + 'static) -> Self {
        self.matcher = Arc::new(matches);
        self
    }

    /// Answers every matching call with `output()`.
    pub fn then_output(self, output: impl Fn() -> I::Output + Send + Sync + 'static) -> Rule {
        self.sequence().output(output).times(usize::MAX).build()
    }

    /// Answers every matching call with the error `error()`.
    pub fn then_error(self, error: impl Fn() -> I::Error + Send + Sync + 'static) -> Rule {
        self.sequence().error(error).times(usize::MAX).build()
    }

    /// Answers matching calls with a sequence of outputs and errors, each once
    /// unless [`Sequence::times`] says otherwise; when the sequence is used up
    /// the rule answers no more (another rule, or no rule, answers).
    pub fn sequence(self) -> Sequence<I> {
        Sequence {
            matcher: self.matcher,
            steps: Vec::new(),
        }
    }
}

/// The answers of a rule, in order.
pub struct Sequence<I: Operation> {
    matcher: Arc<dyn Fn(&I) -> bool + Send + Sync>,
    steps: Vec<(Respond, usize)>,
}

impl<I: Operation> Sequence<I> {
    /// Then the output `output()`.
    pub fn output(mut self, output: impl Fn() -> I::Output + Send + Sync + 'static) -> Self {
        let respond: Respond = Arc::new(move || {
            let answer: Result<I::Output, I::Error> = Ok(output());
            Box::new(answer)
        });
        self.steps.push((respond, 1));
        self
    }

    /// Then the error `error()`.
    pub fn error(mut self, error: impl Fn() -> I::Error + Send + Sync + 'static) -> Self {
        let respond: Respond = Arc::new(move || {
            let answer: Result<I::Output, I::Error> = Err(error());
            Box::new(answer)
        });
        self.steps.push((respond, 1));
        self
    }

    /// The last answer, `times` times in a row.
    pub fn times(mut self, times: usize) -> Self {
        if let Some(last) = self.steps.last_mut() {
            last.1 = times;
        }
        self
    }

    /// The rule.
    pub fn build(self) -> Rule {
        let matcher = self.matcher;
        let typed: Matcher = Arc::new(move |input| {
            input
                .downcast_ref::<I>()
                .is_some_and(|input| matcher(input))
        });
        Rule(Arc::new(RuleState {
            operation: I::NAME,
            matcher: typed,
            steps: self.steps,
            used: Mutex::new((0, 0)),
            calls: AtomicUsize::new(0),
        }))
    }
}

/// A mock rule: which calls of one operation it answers, and with what.
/// Clones share the rule, so a test keeps one to ask [`Rule::num_calls`].
#[derive(Clone)]
pub struct Rule(Arc<RuleState>);

struct RuleState {
    operation: &'static str,
    matcher: Matcher,
    steps: Vec<(Respond, usize)>,
    /// The current step, and how often it has answered.
    used: Mutex<(usize, usize)>,
    calls: AtomicUsize,
}

impl Rule {
    /// How many calls the rule has answered.
    pub fn num_calls(&self) -> usize {
        self.0.calls.load(Ordering::SeqCst)
    }

    /// Whether the rule has answered all it was given to.
    pub fn is_exhausted(&self) -> bool {
        let used = self.0.used.lock().unwrap_or_else(PoisonError::into_inner);
        used.0 >= self.0.steps.len()
    }

    /// The next answer for `input`, when the rule answers it.
    fn answer(&self, input: &dyn Any) -> Option<Box<dyn Any + Send>> {
        let state = &*self.0;
        if !(state.matcher)(input) {
            return None;
        }
        let mut used = state.used.lock().unwrap_or_else(PoisonError::into_inner);
        let (step, times) = state.steps.get(used.0)?;
        used.1 += 1;
        if used.1 >= *times {
            *used = (used.0 + 1, 0);
        }
        state.calls.fetch_add(1, Ordering::SeqCst);
        Some(step())
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("operation", &self.0.operation)
            .field("calls", &self.num_calls())
            .finish_non_exhaustive()
    }
}

/// The mock rules of a configuration, asked in order.
#[derive(Clone, Debug)]
pub struct MockRules(Arc<Vec<Rule>>);

impl MockRules {
    /// `rules`, asked in order: the first that matches a call and has an
    /// answer left answers it.
    pub fn new(rules: impl IntoIterator<Item = Rule>) -> Self {
        MockRules(Arc::new(rules.into_iter().collect()))
    }

    /// The answer to `input` from the first rule that has one, or a
    /// configuration error saying no rule does.
    pub(crate) fn answer<O: Operation>(&self, input: &O) -> Result<O::Output, SdkError<O::Error>> {
        let answer = self.0.iter().find_map(|rule| rule.answer(input));
        let Some(answer) = answer else {
            return Err(SdkError::Config(ConfigError::new(format!(
                "no mock rule answers this {} call (none matches, or those that match are used up): {input:?}",
                O::NAME
            ))));
        };
        match answer.downcast::<Result<O::Output, O::Error>>() {
            Ok(answer) => (*answer).map_err(SdkError::Service),
            // A rule only matches inputs of its own type, whose answers have this type.
            Err(_) => Err(SdkError::Config(ConfigError::new(format!(
                "a mock rule for {} answered with another operation's types",
                O::NAME
            )))),
        }
    }
}
