//! A local AWS Marketplace Metering Service (issue 15): work in progress.

#![forbid(unsafe_code)]
