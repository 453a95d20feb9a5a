//! The generator tests both ISAs share, written once: every form is
//! generated (and checks), arbitrary bytes make instructions that check,
//! and the fuzz entry point takes any input. Each ISA's
//! `tests/generated.rs` instantiates them with [`generator_tests!`] and
//! adds its own mutation test over `seeded_cases`.

/// Defines `seeded_cases` and the shared generator tests in the calling
/// module, for the ISA module `$isa` (`crate::x64`, `crate::aarch64`),
/// named `$name` in messages.
macro_rules! generator_tests {
    ($isa:path, $name:literal) => {
        use $isa as isa;

        /// Most instances the coverage test generates before giving up.
        const MAX_INSTANCES: usize = 200_000;

        /// Instances generated from a xorshift stream, 128 bytes each.
        fn seeded_cases(seed: u64) -> impl Iterator<Item = isa::Case> {
            let mut rng = crate::common::Xorshift(seed);
            std::iter::repeat_with(move || {
                let mut buffer = [0u8; 128];
                rng.fill(&mut buffer);
                isa::arbitrary_case(&mut arbitrary::Unstructured::new(&buffer))
                    .expect("the generator never runs out of choices")
            })
        }

        /// The generator reaches every form `all_forms()` lists (and no
        /// other), and every instance it makes on the way checks.
        #[test]
        fn generator_covers_every_form() {
            use std::collections::BTreeSet;
            let all: BTreeSet<String> = isa::all_forms().into_iter().collect();
            let mut missing = all.clone();
            let (mut unknown, mut mismatches, mut instances) = (BTreeSet::new(), Vec::new(), 0);
            for case in seeded_cases(0x9E37_79B9_7F4A_7C15).take(MAX_INSTANCES) {
                if missing.is_empty() {
                    break;
                }
                instances += 1;
                for key in isa::form_keys(&case) {
                    // `Args` emits nothing and has no form.
                    if !all.contains(&key) && key != "Args" {
                        unknown.insert(key.clone());
                    }
                    missing.remove(&key);
                }
                if let Err(mismatch) = isa::check_case(&case) {
                    mismatches.push(mismatch.to_string());
                }
            }
            assert!(missing.is_empty(), "after {instances} instances, forms never generated: {missing:?}");
            assert!(unknown.is_empty(), "generated forms missing from all_forms(): {unknown:?}");
            assert!(mismatches.is_empty(), "{} mismatches, first: {}", mismatches.len(), mismatches[0]);
            println!("all {} {} forms generated (and checked) after {instances} instances", all.len(), $name);
        }

        proptest::proptest! {
            #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

            /// Any bytes make an instruction that checks, as a case (random
            /// frame) and on its own (default setting).
            #[test]
            fn arbitrary_instances_check(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..128)) {
                let mut u = arbitrary::Unstructured::new(&data);
                let case = isa::arbitrary_case(&mut u).expect("the generator never runs out of choices");
                if let Err(mismatch) = isa::check_case(&case) {
                    proptest::prop_assert!(false, "{}", mismatch);
                }
                let mut u = arbitrary::Unstructured::new(&data);
                let inst = isa::arbitrary_inst(&mut u).expect("the generator never runs out of choices");
                if let Err(mismatch) = isa::check(&inst) {
                    proptest::prop_assert!(false, "{}", mismatch);
                }
            }
        }

        #[test]
        fn fuzz_entry_point_smoke() {
            let mut rng = crate::common::Xorshift(0x2545_F491_4F6C_DD1D);
            for length in [0, 1, 2, 7, 64, 512, 4096] {
                let mut data = vec![0u8; length];
                rng.fill(&mut data);
                isa::check_fuzz_input(&data).unwrap_or_else(|report| panic!("{report}"));
            }
        }
    };
}
pub(crate) use generator_tests;
