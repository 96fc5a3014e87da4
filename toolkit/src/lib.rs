//! Tools around the Marketplace Metering calls (issue 15): work in progress.

#![forbid(unsafe_code)]
