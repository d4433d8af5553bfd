//! Randomized differential tests: random structured functions (nested
//! expressions deep enough to exhaust the registers, locals of three
//! types, blocks with early exits, if/else, loops, calls, memory) are
//! compiled by the baseline tier and run through the runtime, and every result
//! is compared with a direct evaluation of the same program in Rust.
//!
//! Deterministic by default (fixed seeds); `TERN_RANDOM_CASES=N` runs N
//! modules, `TERN_RANDOM_SEED=S` starts from seed S.

use crate::support;

use std::fmt::Write;

/// xorshift64*: small, fast and good enough for test generation.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn value(&mut self, ty: Ty) -> u64 {
        let v = match self.below(4) {
            0 => self.below(16),
            1 => self.next() >> self.below(64),
            2 => (self.below(16) as i64 - 8) as u64,
            _ => self.next(),
        };
        match ty {
            Ty::I32 => v as u32 as u64,
            Ty::I64 => v,
            Ty::F64 => ((self.below(2000) as f64 - 1000.0) / 8.0).to_bits(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    I32,
    I64,
    F64,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::F64 => "f64",
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Bin {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Xor,
    Shl,
    ShrS,
    ShrU,
    Rotl,
    DivUOdd,
    RemUOdd,
}

#[derive(Clone, Copy, Debug)]
enum Cmp {
    Eq,
    Ne,
    LtS,
    LtU,
    GtS,
    GeU,
}

enum Expr {
    Const(Ty, u64),
    Get(usize),
    Bin(Ty, Bin, Box<Expr>, Box<Expr>),
    /// Integer comparison (i32 result).
    Cmp(Ty, Cmp, Box<Expr>, Box<Expr>),
    Eqz(Ty, Box<Expr>),
    /// f64 comparison `a < b` (i32 result).
    FLt(Box<Expr>, Box<Expr>),
    /// f64 add/sub/mul.
    FBin(u8, Box<Expr>, Box<Expr>),
    Select(Box<Expr>, Box<Expr>, Box<Expr>),
    Tee(usize, Box<Expr>),
    If(Ty, Box<Expr>, Box<Expr>, Box<Expr>),
    /// Many operands pushed before being summed: register pressure.
    Sum(Ty, Vec<Expr>),
    Wrap(Box<Expr>),
    ExtendU(Box<Expr>),
    ExtendS(Box<Expr>),
    ConvertS(Box<Expr>),
    TruncSat(Box<Expr>),
    /// `$mix64(a, b)`.
    Call64(Box<Expr>, Box<Expr>),
    /// `$mix32(a, b, c)`.
    Call32(Box<Expr>, Box<Expr>, Box<Expr>),
    Load(Box<Expr>),
    /// `block (result T) a cond br_if 0 drop b end`: a value carried by a
    /// conditional branch.
    BlockBr(Ty, Box<Expr>, Box<Expr>, Box<Expr>),
    /// `$spread` (seven arguments, two on the stack; two results, one
    /// through the return area), its results combined into one i64.
    Spread(Vec<Expr>),
}

enum Stmt {
    Set(usize, Expr),
    Store(Expr, Expr),
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    Block(Vec<Stmt>, Expr, Vec<Stmt>),
    Loop(usize, u32, Vec<Stmt>),
    /// A `br_table` over nested blocks: the selected case's statements run
    /// (the last index is the default).
    Switch(Expr, Vec<Vec<Stmt>>),
}

struct Func {
    locals: Vec<Ty>,
    params: usize,
    body: Vec<Stmt>,
    result: Expr,
    result_ty: Ty,
}

struct Gen<'a> {
    rng: &'a mut Rng,
    locals: Vec<Ty>,
    /// Locals expressions may read and write (not loop counters).
    usable: usize,
}

impl Gen<'_> {
    fn local_of(&mut self, ty: Ty) -> Option<usize> {
        let candidates: Vec<usize> = (0..self.usable).filter(|&i| self.locals[i] == ty).collect();
        if candidates.is_empty() {
            None
        } else {
            Some(candidates[self.rng.below(candidates.len() as u64) as usize])
        }
    }

    fn expr(&mut self, ty: Ty, depth: u32) -> Expr {
        let leaf = depth == 0 || self.rng.chance(20);
        if leaf {
            return match self.local_of(ty) {
                Some(i) if self.rng.chance(60) => Expr::Get(i),
                _ => Expr::Const(ty, self.rng.value(ty)),
            };
        }
        let d = depth - 1;
        if ty == Ty::F64 {
            return match self.rng.below(7) {
                0..=2 => Expr::FBin(
                    self.rng.below(3) as u8,
                    Box::new(self.expr(Ty::F64, d)),
                    Box::new(self.expr(Ty::F64, d)),
                ),
                3 => Expr::ConvertS(Box::new(self.expr(Ty::I32, d))),
                4 => Expr::Select(
                    Box::new(self.expr(Ty::F64, d)),
                    Box::new(self.expr(Ty::F64, d)),
                    Box::new(self.expr(Ty::I32, d)),
                ),
                5 => Expr::If(
                    Ty::F64,
                    Box::new(self.expr(Ty::I32, d)),
                    Box::new(self.expr(Ty::F64, d)),
                    Box::new(self.expr(Ty::F64, d)),
                ),
                _ => match self.local_of(Ty::F64) {
                    Some(i) => Expr::Tee(i, Box::new(self.expr(Ty::F64, d))),
                    None => Expr::Const(Ty::F64, self.rng.value(Ty::F64)),
                },
            };
        }
        match self.rng.below(18) {
            0..=3 => {
                let op = [
                    Bin::Add,
                    Bin::Sub,
                    Bin::Mul,
                    Bin::And,
                    Bin::Or,
                    Bin::Xor,
                    Bin::Shl,
                    Bin::ShrS,
                    Bin::ShrU,
                    Bin::Rotl,
                    Bin::DivUOdd,
                    Bin::RemUOdd,
                ][self.rng.below(12) as usize];
                Expr::Bin(
                    ty,
                    op,
                    Box::new(self.expr(ty, d)),
                    Box::new(self.expr(ty, d)),
                )
            }
            4 if ty == Ty::I32 => {
                let op = [Cmp::Eq, Cmp::Ne, Cmp::LtS, Cmp::LtU, Cmp::GtS, Cmp::GeU]
                    [self.rng.below(6) as usize];
                let operand = if self.rng.chance(50) {
                    Ty::I32
                } else {
                    Ty::I64
                };
                Expr::Cmp(
                    operand,
                    op,
                    Box::new(self.expr(operand, d)),
                    Box::new(self.expr(operand, d)),
                )
            }
            5 if ty == Ty::I32 => {
                let operand = if self.rng.chance(50) {
                    Ty::I32
                } else {
                    Ty::I64
                };
                Expr::Eqz(operand, Box::new(self.expr(operand, d)))
            }
            6 if ty == Ty::I32 => Expr::FLt(
                Box::new(self.expr(Ty::F64, d)),
                Box::new(self.expr(Ty::F64, d)),
            ),
            7 => Expr::Select(
                Box::new(self.expr(ty, d)),
                Box::new(self.expr(ty, d)),
                Box::new(self.expr(Ty::I32, d)),
            ),
            8 => match self.local_of(ty) {
                Some(i) => Expr::Tee(i, Box::new(self.expr(ty, d))),
                None => self.expr(ty, d),
            },
            9 => Expr::If(
                ty,
                Box::new(self.expr(Ty::I32, d)),
                Box::new(self.expr(ty, d)),
                Box::new(self.expr(ty, d)),
            ),
            10 => {
                let n = 4 + self.rng.below(14) as usize;
                Expr::Sum(ty, (0..n).map(|_| self.expr(ty, d.min(1))).collect())
            }
            11 => match ty {
                Ty::I32 => Expr::Wrap(Box::new(self.expr(Ty::I64, d))),
                _ if self.rng.chance(50) => Expr::ExtendU(Box::new(self.expr(Ty::I32, d))),
                _ => Expr::ExtendS(Box::new(self.expr(Ty::I32, d))),
            },
            12 => match ty {
                Ty::I64 => Expr::Call64(
                    Box::new(self.expr(Ty::I64, d)),
                    Box::new(self.expr(Ty::I64, d)),
                ),
                _ => Expr::Call32(
                    Box::new(self.expr(Ty::I32, d)),
                    Box::new(self.expr(Ty::I32, d)),
                    Box::new(self.expr(Ty::I32, d)),
                ),
            },
            13 if ty == Ty::I32 => Expr::Load(Box::new(self.expr(Ty::I32, d))),
            14 if ty == Ty::I64 => Expr::TruncSat(Box::new(self.expr(Ty::F64, d))),
            16 if ty == Ty::I64 => Expr::Spread(
                (0..7)
                    .map(|k| self.expr(if k % 2 == 0 { Ty::I64 } else { Ty::I32 }, d.min(2)))
                    .collect(),
            ),
            15 => Expr::BlockBr(
                ty,
                Box::new(self.expr(ty, d)),
                Box::new(self.expr(Ty::I32, d)),
                Box::new(self.expr(ty, d)),
            ),
            _ => self.expr(ty, d),
        }
    }

    fn stmts(&mut self, n: usize, depth: u32, counters: &mut Vec<usize>) -> Vec<Stmt> {
        (0..n).map(|_| self.stmt(depth, counters)).collect()
    }

    fn stmt(&mut self, depth: u32, counters: &mut Vec<usize>) -> Stmt {
        let ty = [Ty::I32, Ty::I64, Ty::F64][self.rng.below(3) as usize];
        match if depth == 0 { 0 } else { self.rng.below(7) } {
            0 | 1 => match self.local_of(ty) {
                Some(i) => Stmt::Set(i, self.expr(ty, 4)),
                None => Stmt::Store(self.expr(Ty::I32, 2), self.expr(Ty::I32, 3)),
            },
            2 => Stmt::Store(self.expr(Ty::I32, 2), self.expr(Ty::I32, 3)),
            3 => {
                let cond = self.expr(Ty::I32, 3);
                let a = self.rng.below(3) as usize + 1;
                let b = self.rng.below(3) as usize;
                Stmt::If(
                    cond,
                    self.stmts(a, depth - 1, counters),
                    self.stmts(b, depth - 1, counters),
                )
            }
            4 => {
                let a = self.rng.below(3) as usize;
                let b = self.rng.below(3) as usize + 1;
                let before = self.stmts(a, depth - 1, counters);
                let cond = self.expr(Ty::I32, 3);
                let after = self.stmts(b, depth - 1, counters);
                Stmt::Block(before, cond, after)
            }
            6 => {
                let cases = 2 + self.rng.below(4) as usize;
                let selector = if self.rng.chance(30) {
                    Expr::Const(Ty::I32, self.rng.below(cases as u64 + 2))
                } else {
                    self.expr(Ty::I32, 2)
                };
                let bodies = (0..cases)
                    .map(|_| {
                        let n = self.rng.below(3) as usize;
                        self.stmts(n, depth - 1, counters)
                    })
                    .collect();
                Stmt::Switch(selector, bodies)
            }
            _ => {
                let counter = self.locals.len();
                self.locals.push(Ty::I32);
                counters.push(counter);
                let n = self.rng.below(3) as u32 + 1;
                let k = self.rng.below(3) as usize + 1;
                Stmt::Loop(counter, n, self.stmts(k, depth - 1, counters))
            }
        }
    }
}

fn gen_func(rng: &mut Rng) -> Func {
    let params = 1 + rng.below(5) as usize;
    let total = params + rng.below(6) as usize;
    let locals: Vec<Ty> = (0..total)
        .map(|_| [Ty::I32, Ty::I64, Ty::F64][rng.below(3) as usize])
        .collect();
    let result_ty = [Ty::I32, Ty::I64, Ty::I64][rng.below(3) as usize];
    let mut g = Gen {
        rng,
        usable: locals.len(),
        locals,
    };
    let mut counters = Vec::new();
    let n = 2 + g.rng.below(5) as usize;
    let body = g.stmts(n, 3, &mut counters);
    let result = g.expr(result_ty, 5);
    Func {
        locals: g.locals,
        params,
        body,
        result,
        result_ty,
    }
}

// ---------------------------------------------------------------- printing

fn print_expr(e: &Expr, out: &mut String) {
    match e {
        Expr::Const(ty, v) => {
            let _ = match ty {
                Ty::I32 => writeln!(out, "i32.const {}", *v as u32 as i32),
                Ty::I64 => writeln!(out, "i64.const {}", *v as i64),
                Ty::F64 => writeln!(out, "f64.const {}", f64::from_bits(*v)),
            };
        }
        Expr::Get(i) => {
            let _ = writeln!(out, "local.get {i}");
        }
        Expr::Bin(ty, op, a, b) => {
            print_expr(a, out);
            print_expr(b, out);
            let t = ty.name();
            let op = match op {
                Bin::Add => "add",
                Bin::Sub => "sub",
                Bin::Mul => "mul",
                Bin::And => "and",
                Bin::Or => "or",
                Bin::Xor => "xor",
                Bin::Shl => "shl",
                Bin::ShrS => "shr_s",
                Bin::ShrU => "shr_u",
                Bin::Rotl => "rotl",
                Bin::DivUOdd | Bin::RemUOdd => {
                    let _ = writeln!(out, "{t}.const 1\n{t}.or");
                    if matches!(op, Bin::DivUOdd) {
                        "div_u"
                    } else {
                        "rem_u"
                    }
                }
            };
            let _ = writeln!(out, "{t}.{op}");
        }
        Expr::Cmp(ty, op, a, b) => {
            print_expr(a, out);
            print_expr(b, out);
            let op = match op {
                Cmp::Eq => "eq",
                Cmp::Ne => "ne",
                Cmp::LtS => "lt_s",
                Cmp::LtU => "lt_u",
                Cmp::GtS => "gt_s",
                Cmp::GeU => "ge_u",
            };
            let _ = writeln!(out, "{}.{op}", ty.name());
        }
        Expr::Eqz(ty, a) => {
            print_expr(a, out);
            let _ = writeln!(out, "{}.eqz", ty.name());
        }
        Expr::FLt(a, b) => {
            print_expr(a, out);
            print_expr(b, out);
            out.push_str("f64.lt\n");
        }
        Expr::FBin(op, a, b) => {
            print_expr(a, out);
            print_expr(b, out);
            out.push_str(["f64.add\n", "f64.sub\n", "f64.mul\n"][*op as usize]);
        }
        Expr::Select(a, b, c) => {
            print_expr(a, out);
            print_expr(b, out);
            print_expr(c, out);
            out.push_str("select\n");
        }
        Expr::Tee(i, a) => {
            print_expr(a, out);
            let _ = writeln!(out, "local.tee {i}");
        }
        Expr::If(ty, c, a, b) => {
            print_expr(c, out);
            let _ = writeln!(out, "if (result {})", ty.name());
            print_expr(a, out);
            out.push_str("else\n");
            print_expr(b, out);
            out.push_str("end\n");
        }
        Expr::Sum(ty, terms) => {
            for t in terms {
                print_expr(t, out);
            }
            for _ in 1..terms.len() {
                let _ = writeln!(out, "{}.add", ty.name());
            }
        }
        Expr::Wrap(a) => {
            print_expr(a, out);
            out.push_str("i32.wrap_i64\n");
        }
        Expr::ExtendU(a) => {
            print_expr(a, out);
            out.push_str("i64.extend_i32_u\n");
        }
        Expr::ExtendS(a) => {
            print_expr(a, out);
            out.push_str("i64.extend_i32_s\n");
        }
        Expr::ConvertS(a) => {
            print_expr(a, out);
            out.push_str("f64.convert_i32_s\n");
        }
        Expr::TruncSat(a) => {
            print_expr(a, out);
            out.push_str("i64.trunc_sat_f64_s\n");
        }
        Expr::Call64(a, b) => {
            print_expr(a, out);
            print_expr(b, out);
            out.push_str("call $mix64\n");
        }
        Expr::Call32(a, b, c) => {
            print_expr(a, out);
            print_expr(b, out);
            print_expr(c, out);
            out.push_str("call $mix32\n");
        }
        Expr::Load(a) => {
            print_expr(a, out);
            out.push_str("i32.const 252\ni32.and\ni32.load\n");
        }
        Expr::Spread(args) => {
            for a in args {
                print_expr(a, out);
            }
            out.push_str("call $spread\ni64.extend_i32_u\ni64.xor\n");
        }
        Expr::BlockBr(ty, a, c, b) => {
            let _ = writeln!(out, "block (result {})", ty.name());
            print_expr(a, out);
            print_expr(c, out);
            out.push_str("br_if 0\ndrop\n");
            print_expr(b, out);
            out.push_str("end\n");
        }
    }
}

fn print_stmts(stmts: &[Stmt], out: &mut String) {
    for s in stmts {
        match s {
            Stmt::Set(i, e) => {
                print_expr(e, out);
                let _ = writeln!(out, "local.set {i}");
            }
            Stmt::Store(addr, value) => {
                print_expr(addr, out);
                out.push_str("i32.const 252\ni32.and\n");
                print_expr(value, out);
                out.push_str("i32.store\n");
            }
            Stmt::If(c, a, b) => {
                print_expr(c, out);
                out.push_str("if\n");
                print_stmts(a, out);
                out.push_str("else\n");
                print_stmts(b, out);
                out.push_str("end\n");
            }
            Stmt::Block(before, cond, after) => {
                out.push_str("block\n");
                print_stmts(before, out);
                print_expr(cond, out);
                out.push_str("br_if 0\n");
                print_stmts(after, out);
                out.push_str("end\n");
            }
            Stmt::Switch(selector, cases) => {
                let n = cases.len();
                for _ in 0..n {
                    out.push_str("block\n");
                }
                out.push_str("block\n");
                print_expr(selector, out);
                out.push_str("br_table");
                for i in 0..n {
                    let _ = write!(out, " {i}");
                }
                out.push_str("\nend\n");
                for (i, case) in cases.iter().enumerate() {
                    print_stmts(case, out);
                    if i + 1 < n {
                        let _ = writeln!(out, "br {}\nend", n - 1 - i);
                    } else {
                        out.push_str("end\n");
                    }
                }
            }
            Stmt::Loop(counter, n, body) => {
                let _ = writeln!(out, "i32.const {n}\nlocal.set {counter}\nloop");
                print_stmts(body, out);
                let _ = writeln!(
                    out,
                    "local.get {counter}\ni32.const 1\ni32.sub\nlocal.tee {counter}\nbr_if 0\nend"
                );
            }
        }
    }
}

fn print_module(funcs: &[Func]) -> String {
    let mut out = String::from(
        "(module\n(memory (export \"memory\") 1)\n\
         (func $mix64 (param i64 i64) (result i64)\n\
           local.get 0 i64.const 3 i64.mul local.get 1 i64.xor i64.const 0x55 i64.add)\n\
         (func $mix32 (param i32 i32 i32) (result i32)\n\
           local.get 0 local.get 1 i32.sub local.get 2 i32.const 7 i32.rotl i32.xor)\n\
         (func $spread (param i64 i32 i64 i32 i64 i32 i64) (result i64 i32)\n\
           local.get 0 local.get 2 i64.sub local.get 4 i64.const 3 i64.mul i64.add local.get 6 i64.xor\n\
           local.get 1 local.get 3 i32.add local.get 5 i32.mul)\n",
    );
    for (n, f) in funcs.iter().enumerate() {
        let _ = write!(out, "(func (export \"f{n}\")");
        for ty in &f.locals[..f.params] {
            let _ = write!(out, " (param {})", ty.name());
        }
        let _ = write!(out, " (result {})", f.result_ty.name());
        for ty in &f.locals[f.params..] {
            let _ = write!(out, " (local {})", ty.name());
        }
        out.push('\n');
        print_stmts(&f.body, &mut out);
        print_expr(&f.result, &mut out);
        out.push_str(")\n");
    }
    out.push_str(")\n");
    out
}

// -------------------------------------------------------------- evaluation

struct Machine {
    locals: Vec<u64>,
    memory: [u8; 256],
}

fn norm(ty: Ty, v: u64) -> u64 {
    if ty == Ty::I32 { v as u32 as u64 } else { v }
}

fn mix64(a: u64, b: u64) -> u64 {
    (a.wrapping_mul(3) ^ b).wrapping_add(0x55)
}

fn mix32(a: u32, b: u32, c: u32) -> u32 {
    a.wrapping_sub(b) ^ c.rotate_left(7)
}

impl Machine {
    fn eval(&mut self, e: &Expr) -> u64 {
        match e {
            Expr::Const(_, v) => *v,
            Expr::Get(i) => self.locals[*i],
            Expr::Bin(ty, op, a, b) => {
                let (a, b) = (self.eval(a), self.eval(b));
                let bits = if *ty == Ty::I32 { 32 } else { 64 };
                let sh = (b % bits) as u32;
                let r = match op {
                    Bin::Add => a.wrapping_add(b),
                    Bin::Sub => a.wrapping_sub(b),
                    Bin::Mul => a.wrapping_mul(b),
                    Bin::And => a & b,
                    Bin::Or => a | b,
                    Bin::Xor => a ^ b,
                    Bin::Shl => a << sh,
                    Bin::ShrU => norm(*ty, a) >> sh,
                    Bin::ShrS => {
                        if *ty == Ty::I32 {
                            ((a as i32) >> sh) as u32 as u64
                        } else {
                            ((a as i64) >> sh) as u64
                        }
                    }
                    Bin::Rotl => {
                        if *ty == Ty::I32 {
                            (a as u32).rotate_left(sh) as u64
                        } else {
                            a.rotate_left(sh)
                        }
                    }
                    Bin::DivUOdd => norm(*ty, a) / norm(*ty, b | 1),
                    Bin::RemUOdd => norm(*ty, a) % norm(*ty, b | 1),
                };
                norm(*ty, r)
            }
            Expr::Cmp(ty, op, a, b) => {
                let (a, b) = (norm(*ty, self.eval(a)), norm(*ty, self.eval(b)));
                let (sa, sb) = if *ty == Ty::I32 {
                    (a as i32 as i64, b as i32 as i64)
                } else {
                    (a as i64, b as i64)
                };
                u64::from(match op {
                    Cmp::Eq => a == b,
                    Cmp::Ne => a != b,
                    Cmp::LtS => sa < sb,
                    Cmp::LtU => a < b,
                    Cmp::GtS => sa > sb,
                    Cmp::GeU => a >= b,
                })
            }
            Expr::Eqz(ty, a) => u64::from(norm(*ty, self.eval(a)) == 0),
            Expr::FLt(a, b) => {
                let (a, b) = (f64::from_bits(self.eval(a)), f64::from_bits(self.eval(b)));
                u64::from(a < b)
            }
            Expr::FBin(op, a, b) => {
                let (a, b) = (f64::from_bits(self.eval(a)), f64::from_bits(self.eval(b)));
                (match op {
                    0 => a + b,
                    1 => a - b,
                    _ => a * b,
                })
                .to_bits()
            }
            Expr::Select(a, b, c) => {
                let (a, b, c) = (self.eval(a), self.eval(b), self.eval(c));
                if c as u32 != 0 { a } else { b }
            }
            Expr::Tee(i, a) => {
                let v = self.eval(a);
                self.locals[*i] = v;
                v
            }
            Expr::If(_, c, a, b) => {
                if self.eval(c) as u32 != 0 {
                    self.eval(a)
                } else {
                    self.eval(b)
                }
            }
            Expr::Sum(ty, terms) => {
                let values: Vec<u64> = terms.iter().map(|t| self.eval(t)).collect();
                norm(*ty, values.iter().fold(0u64, |s, v| s.wrapping_add(*v)))
            }
            Expr::Wrap(a) => self.eval(a) as u32 as u64,
            Expr::ExtendU(a) => self.eval(a) as u32 as u64,
            Expr::ExtendS(a) => self.eval(a) as u32 as i32 as i64 as u64,
            Expr::ConvertS(a) => (self.eval(a) as u32 as i32 as f64).to_bits(),
            Expr::TruncSat(a) => {
                let f = f64::from_bits(self.eval(a));
                // Rust's `as` saturates and maps NaN to 0, as Wasm does.
                (f as i64) as u64
            }
            Expr::Call64(a, b) => {
                let (a, b) = (self.eval(a), self.eval(b));
                mix64(a, b)
            }
            Expr::Call32(a, b, c) => {
                let (a, b, c) = (self.eval(a), self.eval(b), self.eval(c));
                mix32(a as u32, b as u32, c as u32) as u64
            }
            Expr::Load(a) => {
                let addr = (self.eval(a) as u32 & 252) as usize;
                u32::from_le_bytes(self.memory[addr..addr + 4].try_into().unwrap()) as u64
            }
            Expr::Spread(args) => {
                let v: Vec<u64> = args.iter().map(|a| self.eval(a)).collect();
                let first = v[0].wrapping_sub(v[2]).wrapping_add(v[4].wrapping_mul(3)) ^ v[6];
                let second = (v[1] as u32)
                    .wrapping_add(v[3] as u32)
                    .wrapping_mul(v[5] as u32);
                first ^ u64::from(second)
            }
            Expr::BlockBr(_, a, c, b) => {
                let a = self.eval(a);
                if self.eval(c) as u32 != 0 {
                    a
                } else {
                    self.eval(b)
                }
            }
        }
    }

    fn run(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            match s {
                Stmt::Set(i, e) => {
                    let v = self.eval(e);
                    self.locals[*i] = v;
                }
                Stmt::Store(addr, value) => {
                    let addr = (self.eval(addr) as u32 & 252) as usize;
                    let v = self.eval(value) as u32;
                    self.memory[addr..addr + 4].copy_from_slice(&v.to_le_bytes());
                }
                Stmt::If(c, a, b) => {
                    if self.eval(c) as u32 != 0 {
                        self.run(a)
                    } else {
                        self.run(b)
                    }
                }
                Stmt::Block(before, cond, after) => {
                    self.run(before);
                    if self.eval(cond) as u32 == 0 {
                        self.run(after);
                    }
                }
                Stmt::Switch(selector, cases) => {
                    let index = (self.eval(selector) as u32 as usize).min(cases.len() - 1);
                    self.run(&cases[index]);
                }
                Stmt::Loop(counter, n, body) => {
                    self.locals[*counter] = u64::from(*n);
                    loop {
                        self.run(body);
                        let c = (self.locals[*counter] as u32).wrapping_sub(1);
                        self.locals[*counter] = c.into();
                        if c == 0 {
                            break;
                        }
                    }
                }
            }
        }
    }
}

fn same(ty: Ty, a: u64, b: u64) -> bool {
    match ty {
        Ty::F64 => a == b || (f64::from_bits(a).is_nan() && f64::from_bits(b).is_nan()),
        _ => norm(ty, a) == norm(ty, b),
    }
}

fn run_case(seed: u64) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let funcs: Vec<Func> = (0..8).map(|_| gen_func(&mut rng)).collect();
    let text = print_module(&funcs);
    let mut program = support::Program::new(&text);
    for (n, f) in funcs.iter().enumerate() {
        for _ in 0..3 {
            let args: Vec<u64> = f.locals[..f.params]
                .iter()
                .map(|&ty| rng.value(ty))
                .collect();
            let mut machine = Machine {
                locals: f.locals.iter().map(|_| 0).collect(),
                memory: [0; 256],
            };
            machine.locals[..f.params].copy_from_slice(&args);
            // The Wasm memory persists across calls: start both from the
            // module's current contents.
            machine.memory.copy_from_slice(&program.memory()[..256]);
            machine.run(&f.body);
            let expected = machine.eval(&f.result);
            let actual = program
                .invoke(&format!("f{n}"), &args)
                .unwrap_or_else(|e| panic!("seed {seed}, f{n}({args:x?}) trapped: {e}\n{text}"));
            assert!(
                same(f.result_ty, actual[0], expected),
                "seed {seed}, f{n}({args:x?}): got {:#x}, expected {expected:#x}\n{text}",
                actual[0]
            );
            assert_eq!(
                &program.memory()[..256],
                &machine.memory[..],
                "seed {seed}, f{n}({args:x?}): memory differs\n{text}"
            );
        }
    }
}

#[test]
fn random_functions_match_the_reference() {
    let cases: u64 = std::env::var("TERN_RANDOM_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let first: u64 = std::env::var("TERN_RANDOM_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            for seed in first..first + cases {
                run_case(seed);
            }
        })
        .unwrap()
        .join()
        .unwrap_or_else(|_| panic!("a random case failed (see above)"));
}
