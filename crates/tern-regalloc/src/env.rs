//! The machine description: which registers the allocator may use.

use crate::error::Error;
use crate::reg::{NUM_CLASSES, PReg, PRegSet, RegClass};

/// The registers of one class.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClassEnv {
    /// Registers tried first, in order. On most ABIs these are the
    /// caller-saved registers: using them costs nothing in the prologue.
    pub preferred: Vec<PReg>,
    /// Registers used only when no preferred one is free (callee-saved
    /// registers, which the client must save and restore if used).
    pub non_preferred: Vec<PReg>,
    /// A register that never holds a value and that the allocator may use
    /// freely between instructions to break cycles of moves and to move
    /// between spill slots. If absent, the allocator uses a register that is
    /// free at that point, or saves one to an extra spill slot around the
    /// moves.
    pub scratch: Option<PReg>,
}

/// The allocatable registers of every class.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MachineEnv {
    /// Per class, indexed by [`RegClass::index`].
    pub classes: [ClassEnv; NUM_CLASSES],
}

impl MachineEnv {
    /// The registers of `class`.
    #[inline]
    pub fn class(&self, class: RegClass) -> &ClassEnv {
        &self.classes[class.index()]
    }

    /// Every allocatable register of every class.
    pub fn allocatable(&self) -> PRegSet {
        let mut set = PRegSet::empty();
        for class in &self.classes {
            for &r in class.preferred.iter().chain(&class.non_preferred) {
                set.insert(r);
            }
        }
        set
    }

    /// Checks that every register belongs to the class it is listed under,
    /// that no register is listed twice, and that scratch registers are not
    /// allocatable.
    pub fn validate(&self) -> Result<(), Error> {
        let mut seen = PRegSet::empty();
        for class in RegClass::ALL {
            let env = self.class(class);
            for &r in env.preferred.iter().chain(&env.non_preferred) {
                if r.class() != class || seen.contains(r) {
                    return Err(Error::InvalidMachineEnv { preg: r });
                }
                seen.insert(r);
            }
        }
        for class in RegClass::ALL {
            if let Some(r) = self.class(class).scratch
                && (r.class() != class || seen.contains(r))
            {
                return Err(Error::InvalidMachineEnv { preg: r });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(i: usize) -> PReg {
        PReg::new(RegClass::Int, i)
    }

    #[test]
    fn validate_rejects_duplicates_wrong_classes_and_allocatable_scratch() {
        let mut env = MachineEnv::default();
        env.classes[0].preferred = vec![r(0), r(1)];
        env.classes[0].non_preferred = vec![r(2)];
        env.classes[0].scratch = Some(r(3));
        assert_eq!(env.validate(), Ok(()));
        assert_eq!(env.allocatable().len(), 3);

        let mut dup = env.clone();
        dup.classes[0].non_preferred.push(r(0));
        assert_eq!(dup.validate(), Err(Error::InvalidMachineEnv { preg: r(0) }));

        let mut scratch = env.clone();
        scratch.classes[0].scratch = Some(r(1));
        assert_eq!(
            scratch.validate(),
            Err(Error::InvalidMachineEnv { preg: r(1) })
        );

        let mut class = env;
        let f = PReg::new(RegClass::Float, 0);
        class.classes[0].preferred.push(f);
        assert_eq!(class.validate(), Err(Error::InvalidMachineEnv { preg: f }));
    }
}
