//! Relocations: references from a function's code to addresses known only
//! when the code is placed in memory (other functions, runtime helpers).
//!
//! Tern emits only one kind, the 32-bit PC-relative field of `call rel32`.
//! The value written is `target + addend - (code_base + offset)`: with the
//! addend `-4` this is the distance from the end of the call instruction,
//! which is what the CPU adds to the return address. [`Reloc::apply`] is the
//! one place that arithmetic lives.

use std::fmt;

/// What a relocation refers to. The numbers mean what the user of the
/// assembler says they mean (function index, helper index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RelocTarget {
    /// A compiled function.
    Function(u32),
    /// A runtime helper (libcall).
    Helper(u32),
}

/// A 32-bit PC-relative relocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reloc {
    /// Offset of the 4-byte field within the function's code.
    pub offset: u32,
    /// What the field refers to.
    pub target: RelocTarget,
    /// Added to the target address (`-4` for `call rel32`).
    pub addend: i64,
}

/// A relocation whose target is more than ±2 GiB from the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RelocOutOfRange {
    /// The relocation that could not be applied.
    pub reloc: Reloc,
    /// The displacement that does not fit in 32 bits.
    pub displacement: i64,
}

impl fmt::Display for RelocOutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "relocation at code offset {:#x} to {:?}: displacement {:#x} does not fit in 32 bits",
            self.reloc.offset, self.reloc.target, self.displacement
        )
    }
}

impl std::error::Error for RelocOutOfRange {}

impl Reloc {
    /// Writes the relocated value into `code` (the function's bytes, placed at
    /// address `code_base`), given the resolved `target_address`.
    ///
    /// # Panics
    /// If the 4-byte field lies outside `code` (the relocation does not
    /// belong to this code).
    pub fn apply(
        &self,
        code: &mut [u8],
        code_base: u64,
        target_address: u64,
    ) -> Result<(), RelocOutOfRange> {
        let at = self.offset as usize;
        let field = code
            .get_mut(at..at + 4)
            .expect("relocation offset outside the code it belongs to");
        let place = code_base.wrapping_add(u64::from(self.offset));
        let displacement = target_address
            .wrapping_add(self.addend as u64)
            .wrapping_sub(place) as i64;
        let value = i32::try_from(displacement).map_err(|_| RelocOutOfRange {
            reloc: *self,
            displacement,
        })?;
        field.copy_from_slice(&value.to_le_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_call_rel32() {
        // A call at offset 0: e8 + rel32 at offset 1, next instruction at 5.
        let mut code = [0xe8, 0, 0, 0, 0];
        let r = Reloc {
            offset: 1,
            target: RelocTarget::Function(3),
            addend: -4,
        };
        r.apply(&mut code, 0x1000, 0x2000).unwrap();
        assert_eq!(
            i32::from_le_bytes(code[1..5].try_into().unwrap()),
            0x2000 - 0x1005
        );
        r.apply(&mut code, 0x2000, 0x1000).unwrap();
        assert_eq!(
            i32::from_le_bytes(code[1..5].try_into().unwrap()),
            0x1000 - 0x2005
        );
        let err = r.apply(&mut code, 0, 1 << 40).unwrap_err();
        assert_eq!(err.displacement, (1 << 40) - 5);
    }
}
