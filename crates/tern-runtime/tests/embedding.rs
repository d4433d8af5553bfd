//! End-to-end tests of the embedding API: compile, instantiate, call in
//! both directions, trap, and keep going.

use tern_runtime::*;

fn engine() -> Engine {
    Engine::new(Config::default()).expect("default engine")
}

fn instantiate<T: 'static>(store: &mut Store<T>, linker: &Linker<T>, wat: &str) -> Instance {
    let module = Module::new(store.engine(), wat).expect("module compiles");
    linker
        .instantiate(store, &module)
        .expect("module instantiates")
}

#[test]
fn calls_an_export_with_typed_and_untyped_calls() {
    let mut store = Store::new(&engine(), ());
    let instance = instantiate(
        &mut store,
        &Linker::new(),
        r#"(module (func (export "add") (param i32 i32) (result i32)
               local.get 0 local.get 1 i32.add))"#,
    );
    let add = instance
        .get_typed_func::<(i32, i32), i32>(&store, "add")
        .unwrap();
    assert_eq!(add.call(&mut store, (2, 40)).unwrap(), 42);
    assert_eq!(add.call(&mut store, (i32::MAX, 1)).unwrap(), i32::MIN);
    let func = instance.get_func(&store, "add").unwrap();
    let mut results = [Val::I32(0)];
    func.call(&mut store, &[Val::I32(7), Val::I32(8)], &mut results)
        .unwrap();
    assert_eq!(results[0], Val::I32(15));
    // Wrong signatures are refused, not called.
    assert!(instance.get_typed_func::<i32, i32>(&store, "add").is_err());
    assert!(func.call(&mut store, &[Val::I32(1)], &mut results).is_err());
}

#[test]
fn wasm_calls_host_which_calls_wasm_back() {
    let mut store = Store::new(&engine(), 0u32);
    let mut linker = Linker::new();
    linker.func_wrap(
        "host",
        "double_then_bump",
        |mut caller: Caller<'_, u32>, x: i64| -> i64 {
            *caller.data_mut() += 1;
            let bump = caller
                .get_export("bump")
                .and_then(Extern::into_func)
                .expect("the importing instance exports bump");
            let mut out = [Val::I64(0)];
            bump.call(&mut caller, &[Val::I64(x * 2)], &mut out)
                .unwrap();
            out[0].unwrap_i64()
        },
    );
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
             (import "host" "double_then_bump" (func $h (param i64) (result i64)))
             (func (export "bump") (param i64) (result i64) local.get 0 i64.const 1 i64.add)
             (func (export "go") (param i64) (result i64) local.get 0 call $h))"#,
    );
    let go = instance.get_typed_func::<i64, i64>(&store, "go").unwrap();
    assert_eq!(go.call(&mut store, 20).unwrap(), 41);
    assert_eq!(go.call(&mut store, -5).unwrap(), -9);
    assert_eq!(*store.data(), 2);
}

#[test]
fn host_errors_become_traps_and_the_store_stays_usable() {
    let mut store = Store::new(&engine(), ());
    let mut linker = Linker::new();
    linker.func_wrap("host", "fail", |x: i32| -> Result<i32, Trap> {
        if x < 0 {
            Err(Trap::new("negative input"))
        } else {
            Ok(x)
        }
    });
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
             (import "host" "fail" (func $f (param i32) (result i32)))
             (func $inner (param i32) (result i32) local.get 0 call $f)
             (func (export "outer") (param i32) (result i32)
               local.get 0 call $inner i32.const 1 i32.add))"#,
    );
    let outer = instance
        .get_typed_func::<i32, i32>(&store, "outer")
        .unwrap();
    let err = outer.call(&mut store, -1).unwrap_err();
    assert!(err.to_string().contains("negative input"), "{err}");
    assert_eq!(outer.call(&mut store, 41).unwrap(), 42);
}

#[test]
fn a_trap_in_a_nested_call_leaves_the_store_usable() {
    let mut store = Store::new(&engine(), ());
    let instance = instantiate(
        &mut store,
        &Linker::new(),
        r#"(module
             (func $div (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
             (func $mid (param i32 i32) (result i32) local.get 0 local.get 1 call $div)
             (func (export "f") (param i32 i32) (result i32) local.get 0 local.get 1 call $mid)
             (func (export "u") unreachable))"#,
    );
    let f = instance
        .get_typed_func::<(i32, i32), i32>(&store, "f")
        .unwrap();
    let trap = |e: Error| e.as_trap().and_then(Trap::code);
    assert_eq!(
        trap(f.call(&mut store, (1, 0)).unwrap_err()),
        Some(TrapCode::IntegerDivisionByZero)
    );
    assert_eq!(
        trap(f.call(&mut store, (i32::MIN, -1)).unwrap_err()),
        Some(TrapCode::IntegerOverflow)
    );
    assert_eq!(f.call(&mut store, (84, 2)).unwrap(), 42);
    let u = instance.get_typed_func::<(), ()>(&store, "u").unwrap();
    let err = u.call(&mut store, ()).unwrap_err();
    assert_eq!(trap(err), Some(TrapCode::UnreachableCodeReached));
    assert_eq!(f.call(&mut store, (9, 3)).unwrap(), 3);
}

#[test]
fn out_of_bounds_at_the_edge_of_memory_after_grow() {
    let mut store = Store::new(&engine(), ());
    let instance = instantiate(
        &mut store,
        &Linker::new(),
        r#"(module (memory (export "mem") 1 4)
             (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
             (func (export "load") (param i32) (result i32) local.get 0 i32.load)
             (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store))"#,
    );
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    let load = instance.get_typed_func::<i32, i32>(&store, "load").unwrap();
    let store_fn = instance
        .get_typed_func::<(i32, i32), ()>(&store, "store")
        .unwrap();
    let is_oob = |e: Error| e.as_trap().and_then(Trap::code) == Some(TrapCode::MemoryOutOfBounds);
    assert!(is_oob(load.call(&mut store, 65533).unwrap_err()));
    assert_eq!(load.call(&mut store, 65532).unwrap(), 0);
    assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
    store_fn
        .call(&mut store, (2 * 65536 - 4, 0x1234_5678))
        .unwrap();
    assert_eq!(load.call(&mut store, 2 * 65536 - 4).unwrap(), 0x1234_5678);
    assert!(is_oob(load.call(&mut store, 2 * 65536 - 3).unwrap_err()));
    assert!(is_oob(store_fn.call(&mut store, (-1, 1)).unwrap_err()));
    // Past the maximum, grow fails with -1 and changes nothing.
    assert_eq!(grow.call(&mut store, 3).unwrap(), -1);
    assert_eq!(grow.call(&mut store, 0).unwrap(), 2);
    let mem = instance.get_memory(&store, "mem").unwrap();
    assert_eq!(mem.data(&store).len(), 2 * 65536);
    assert_eq!(
        &mem.data(&store)[2 * 65536 - 4..],
        &0x1234_5678u32.to_le_bytes()
    );
}

#[test]
fn deep_recursion_traps_with_stack_overflow() {
    let mut store = Store::new(&engine(), ());
    let instance = instantiate(
        &mut store,
        &Linker::new(),
        r#"(module
             (func $r (export "r") (param i64) (result i64)
               local.get 0 i64.const 1 i64.add call $r)
             (func (export "depth") (param i32) (result i32)
               local.get 0 i32.eqz if (result i32) i32.const 0 else
               local.get 0 i32.const 1 i32.sub call 1 i32.const 1 i32.add end))"#,
    );
    let r = instance.get_typed_func::<i64, i64>(&store, "r").unwrap();
    for _ in 0..3 {
        let err = r.call(&mut store, 0).unwrap_err();
        assert_eq!(
            err.as_trap().and_then(Trap::code),
            Some(TrapCode::StackOverflow),
            "{err}"
        );
    }
    let depth = instance
        .get_typed_func::<i32, i32>(&store, "depth")
        .unwrap();
    assert_eq!(depth.call(&mut store, 1000).unwrap(), 1000);
}

#[test]
fn many_instances_alive_at_once() {
    let engine = engine();
    let mut store = Store::new(&engine, ());
    let module = Module::new(
        &engine,
        r#"(module (memory 1) (global $g (mut i32) (i32.const 0))
             (func (export "set") (param i32) local.get 0 global.set $g
               i32.const 0 local.get 0 i32.store)
             (func (export "get") (result i32) global.get $g i32.const 0 i32.load i32.add))"#,
    )
    .unwrap();
    let linker = Linker::new();
    let instances: Vec<Instance> = (0..200)
        .map(|_| linker.instantiate(&mut store, &module).unwrap())
        .collect();
    for (i, instance) in instances.iter().enumerate() {
        let set = instance.get_typed_func::<i32, ()>(&store, "set").unwrap();
        set.call(&mut store, i as i32).unwrap();
    }
    for (i, instance) in instances.iter().enumerate() {
        let get = instance.get_typed_func::<(), i32>(&store, "get").unwrap();
        assert_eq!(get.call(&mut store, ()).unwrap(), 2 * i as i32);
    }
}

#[test]
fn imports_are_checked_by_name_and_type() {
    let mut store = Store::new(&engine(), ());
    let mut linker = Linker::new();
    linker.func_wrap("env", "f", |x: i32| x);
    let wrong_type = Module::new(
        store.engine(),
        r#"(module (import "env" "f" (func (param i64))))"#,
    )
    .unwrap();
    let err = linker.instantiate(&mut store, &wrong_type).unwrap_err();
    assert!(
        err.to_string().contains("incompatible import type"),
        "{err}"
    );
    let missing = Module::new(store.engine(), r#"(module (import "env" "g" (func)))"#).unwrap();
    let err = linker.instantiate(&mut store, &missing).unwrap_err();
    assert!(err.to_string().contains("unknown import"), "{err}");
}

#[test]
fn malformed_and_invalid_modules_are_errors_not_crashes() {
    let engine = engine();
    assert!(matches!(
        Module::new(&engine, b"\0asm\x01\0\0\0\x01"),
        Err(Error::Module(_))
    ));
    let err = Module::new(&engine, "(module (func (result i32)))")
        .err()
        .unwrap();
    assert!(err.to_string().contains("type mismatch"), "{err}");
    assert!(Module::new(&engine, b"not wasm at all").is_err());
}

#[test]
fn host_functions_round_trip_stack_arguments_and_several_results() {
    let engine = engine();
    let mut store = Store::new(&engine, 5i64);
    let mut linker = Linker::new();
    // Eight parameters (two of them past the integer argument registers)
    // and three results (two through the return area).
    linker.func_wrap(
        "h",
        "f",
        |caller: Caller<'_, i64>,
         a: i32,
         b: f64,
         c: i64,
         d: f32,
         e: i32,
         f: i32,
         g: i32,
         h: i64| {
            let sum = a as i64 + c + *caller.data() + e as i64 + f as i64 + g as i64 + h;
            (sum, b * 2.0 + d as f64, 7i32)
        },
    );
    linker.func_wrap("h", "panics", |x: i32| -> i32 {
        assert!(x != 1, "boom");
        x
    });
    let module = Module::new(
        &engine,
        r#"(module
             (import "h" "f" (func (param i32 f64 i64 f32 i32 i32 i32 i64) (result i64 f64 i32)))
             (import "h" "panics" (func (param i32) (result i32)))
             (export "f" (func 0)) (export "panics" (func 1)))"#,
    )
    .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let f = instance.get_func(&store, "f").unwrap();
    let mut out = [Val::I64(0), Val::F64(0), Val::I32(0)];
    let args = [
        Val::I32(1),
        Val::F64(1.5f64.to_bits()),
        Val::I64(10),
        Val::F32(0.25f32.to_bits()),
        Val::I32(100),
        Val::I32(1000),
        Val::I32(10000),
        Val::I64(100000),
    ];
    f.call(&mut store, &args, &mut out).unwrap();
    assert_eq!(
        out,
        [Val::I64(111116), Val::F64(3.25f64.to_bits()), Val::I32(7)]
    );
    // A panicking host function panics in the caller, and the store
    // remains usable.
    let panics = instance
        .get_typed_func::<i32, i32>(&store, "panics")
        .unwrap();
    let caught =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| panics.call(&mut store, 1)));
    assert!(caught.is_err());
    assert_eq!(panics.call(&mut store, 2).unwrap(), 2);
}
