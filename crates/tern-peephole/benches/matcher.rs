//! Matcher benchmark (filled in below).
fn main() {}
