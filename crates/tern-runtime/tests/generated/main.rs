//! Tests over generated modules, run on the baseline tier through the
//! runtime: random programs checked against a reference evaluation
//! (`differential`), and inputs shaped to expose super-linear compile time
//! (`pathological`). Both drive their modules through [`support::Program`].

mod differential;
mod pathological;
mod support;
