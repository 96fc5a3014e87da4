//! The `aws.partition` function: which AWS partition (commercial, China, GovCloud, …)
//! a region belongs to, and that partition's DNS suffixes and capabilities.
//!
//! The partition table is botocore's `partitions.json`, turned into `static` data of
//! the types below by the code generator, so resolving a partition parses nothing at
//! run time. Region regexes are compiled once per distinct pattern, on first use, by
//! `regex-lite` (the crate the official SDK uses for the same job).

use std::collections::HashMap;
use std::sync::{OnceLock, PoisonError, RwLock};

use regex_lite::Regex;

/// One partition of `partitions.json`, as static data the generated resolver passes to
/// [`resolve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// The partition id, e.g. `aws`, `aws-cn`; [`resolve`] falls back to `aws`.
    pub id: &'static str,
    /// `regionRegex`: matches the names of regions the partition may add later, so
    /// new regions resolve without an SDK update.
    pub region_regex: &'static str,
    /// The regions listed by name, each with the outputs it overrides (usually none).
    pub regions: &'static [(&'static str, RegionOverride)],
    /// The partition's outputs, for every region that does not override them.
    pub outputs: PartitionOutputs,
}

/// What `aws.partition` returns: the fields rule sets read with `getAttr`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionOutputs {
    /// `name`: the partition name, e.g. `aws`; used in ARNs and to compare partitions.
    pub name: &'static str,
    /// `dnsSuffix`: the domain endpoints live under, e.g. `amazonaws.com`.
    pub dns_suffix: &'static str,
    /// `dualStackDnsSuffix`: the domain of IPv4+IPv6 endpoints, e.g. `api.aws`.
    pub dual_stack_dns_suffix: &'static str,
    /// `supportsFIPS`: whether FIPS endpoints exist, so rule sets can refuse `UseFIPS`.
    pub supports_fips: bool,
    /// `supportsDualStack`: whether dual-stack endpoints exist.
    pub supports_dual_stack: bool,
    /// `implicitGlobalRegion`: the region global services sign for, e.g. `us-east-1`.
    pub implicit_global_region: &'static str,
}

/// The outputs one listed region overrides; `None` keeps the partition's value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegionOverride {
    /// Overrides [`PartitionOutputs::name`].
    pub name: Option<&'static str>,
    /// Overrides [`PartitionOutputs::dns_suffix`].
    pub dns_suffix: Option<&'static str>,
    /// Overrides [`PartitionOutputs::dual_stack_dns_suffix`].
    pub dual_stack_dns_suffix: Option<&'static str>,
    /// Overrides [`PartitionOutputs::supports_fips`].
    pub supports_fips: Option<bool>,
    /// Overrides [`PartitionOutputs::supports_dual_stack`].
    pub supports_dual_stack: Option<bool>,
    /// Overrides [`PartitionOutputs::implicit_global_region`].
    pub implicit_global_region: Option<&'static str>,
}

impl RegionOverride {
    /// Overrides nothing: what generated code writes for a region entry that only has
    /// a description, as almost all do.
    pub const NONE: RegionOverride = RegionOverride {
        name: None,
        dns_suffix: None,
        dual_stack_dns_suffix: None,
        supports_fips: None,
        supports_dual_stack: None,
        implicit_global_region: None,
    };

    /// `outputs` with this override's fields replacing theirs.
    pub fn apply(&self, outputs: PartitionOutputs) -> PartitionOutputs {
        PartitionOutputs {
            name: self.name.unwrap_or(outputs.name),
            dns_suffix: self.dns_suffix.unwrap_or(outputs.dns_suffix),
            dual_stack_dns_suffix: self
                .dual_stack_dns_suffix
                .unwrap_or(outputs.dual_stack_dns_suffix),
            supports_fips: self.supports_fips.unwrap_or(outputs.supports_fips),
            supports_dual_stack: self
                .supports_dual_stack
                .unwrap_or(outputs.supports_dual_stack),
            implicit_global_region: self
                .implicit_global_region
                .unwrap_or(outputs.implicit_global_region),
        }
    }
}

/// `aws.partition`: the outputs of the partition `region` belongs to.
///
/// Precedence, as the AWS rules-engine library and smithy-rs define it:
/// 1. a partition that lists `region` by name, with that region's overrides applied
///    (across all partitions before any regex is tried, so a listed region can never
///    be claimed by an earlier partition's regex);
/// 2. else the first partition, in table order, whose `region_regex` matches;
/// 3. else the partition with id `aws`, so unknown regions still resolve to
///    commercial endpoints, as botocore and smithy-rs do (the spec text allows an
///    empty result here; the SDKs' behaviour is what users expect);
/// 4. else `None` (only for a table without an `aws` partition).
///
/// A `region_regex` that does not compile never matches (it is skipped, not a panic);
/// [`validate_region_regex`] lets the generator or a test catch that at build time.
pub fn resolve(partitions: &[Partition], region: &str) -> Option<PartitionOutputs> {
    for partition in partitions {
        if let Some((_, region_override)) =
            partition.regions.iter().find(|(name, _)| *name == region)
        {
            return Some(region_override.apply(partition.outputs));
        }
    }
    if let Some(partition) = partitions
        .iter()
        .find(|p| region_regex_matches(p.region_regex, region))
    {
        return Some(partition.outputs);
    }
    partitions.iter().find(|p| p.id == "aws").map(|p| p.outputs)
}

/// Checks that `pattern` is a region regex [`resolve`] can run, or says why not.
///
/// Patterns are compiled by `regex-lite`, which has no Unicode classes (`\w` and `\d`
/// are ASCII, as region names are) and refuses syntax it does not support, such as
/// `\p{L}`, rather than guessing. Checking every `regionRegex` with this at build time
/// (in the generator, or a test over the generated table) turns an unsupported one into
/// a failure instead of a partition that silently never matches by regex.
pub fn validate_region_regex(pattern: &str) -> Result<(), String> {
    Regex::new(pattern)
        .map(drop)
        .map_err(|error| format!("region regex `{pattern}`: {error}"))
}

/// Whether `region` matches `pattern`, compiling each distinct pattern once per process.
fn region_regex_matches(pattern: &'static str, region: &str) -> bool {
    // `None` records a pattern that does not compile, so it is not retried per call.
    type Cache = RwLock<HashMap<&'static str, Option<Regex>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    {
        let compiled = cache.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(regex) = compiled.get(pattern) {
            return regex.as_ref().is_some_and(|regex| regex.is_match(region));
        }
    }
    let mut compiled = cache.write().unwrap_or_else(PoisonError::into_inner);
    let regex = compiled
        .entry(pattern)
        .or_insert_with(|| Regex::new(pattern).ok());
    regex.as_ref().is_some_and(|regex| regex.is_match(region))
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn outputs(
        name: &'static str,
        dns_suffix: &'static str,
        dual_stack_dns_suffix: &'static str,
        implicit_global_region: &'static str,
    ) -> PartitionOutputs {
        PartitionOutputs {
            name,
            dns_suffix,
            dual_stack_dns_suffix,
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region,
        }
    }

    /// A hand-written table with the shape and regexes of botocore's partitions.json
    /// (a few listed regions each), plus one region override to exercise merging.
    static PARTITIONS: &[Partition] = &[
        Partition {
            id: "aws",
            region_regex: r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
            regions: &[
                ("aws-global", RegionOverride::NONE),
                ("us-east-1", RegionOverride::NONE),
                ("us-west-2", RegionOverride::NONE),
                (
                    "us-test-override-1",
                    RegionOverride {
                        dns_suffix: Some("override.example"),
                        supports_dual_stack: Some(false),
                        ..RegionOverride::NONE
                    },
                ),
            ],
            outputs: outputs("aws", "amazonaws.com", "api.aws", "us-east-1"),
        },
        Partition {
            id: "aws-cn",
            region_regex: r"^cn\-\w+\-\d+$",
            regions: &[
                ("aws-cn-global", RegionOverride::NONE),
                ("cn-north-1", RegionOverride::NONE),
            ],
            outputs: outputs(
                "aws-cn",
                "amazonaws.com.cn",
                "api.amazonwebservices.com.cn",
                "cn-northwest-1",
            ),
        },
        Partition {
            id: "aws-eusc",
            region_regex: r"^eusc\-(de)\-\w+\-\d+$",
            regions: &[("eusc-de-east-1", RegionOverride::NONE)],
            outputs: outputs(
                "aws-eusc",
                "amazonaws.eu",
                "api.amazonwebservices.eu",
                "eusc-de-east-1",
            ),
        },
        Partition {
            id: "aws-iso",
            region_regex: r"^us\-iso\-\w+\-\d+$",
            regions: &[("us-iso-east-1", RegionOverride::NONE)],
            outputs: outputs("aws-iso", "c2s.ic.gov", "api.aws.ic.gov", "us-iso-east-1"),
        },
        Partition {
            id: "aws-iso-b",
            region_regex: r"^us\-isob\-\w+\-\d+$",
            regions: &[("us-isob-east-1", RegionOverride::NONE)],
            outputs: outputs(
                "aws-iso-b",
                "sc2s.sgov.gov",
                "api.aws.scloud",
                "us-isob-east-1",
            ),
        },
        Partition {
            id: "aws-iso-e",
            region_regex: r"^eu\-isoe\-\w+\-\d+$",
            regions: &[("eu-isoe-west-1", RegionOverride::NONE)],
            outputs: outputs(
                "aws-iso-e",
                "cloud.adc-e.uk",
                "api.cloud-aws.adc-e.uk",
                "eu-isoe-west-1",
            ),
        },
        Partition {
            id: "aws-iso-f",
            region_regex: r"^us\-isof\-\w+\-\d+$",
            regions: &[("us-isof-south-1", RegionOverride::NONE)],
            outputs: outputs(
                "aws-iso-f",
                "csp.hci.ic.gov",
                "api.aws.hci.ic.gov",
                "us-isof-south-1",
            ),
        },
        Partition {
            id: "aws-us-gov",
            region_regex: r"^us\-gov\-\w+\-\d+$",
            regions: &[
                ("us-gov-west-1", RegionOverride::NONE),
                ("us-gov-east-1", RegionOverride::NONE),
            ],
            outputs: outputs("aws-us-gov", "amazonaws.com", "api.aws", "us-gov-west-1"),
        },
    ];

    fn name_of(region: &str) -> Option<&'static str> {
        resolve(PARTITIONS, region).map(|outputs| outputs.name)
    }

    #[test]
    fn explicit_regions() {
        assert_eq!(
            resolve(PARTITIONS, "us-east-1"),
            Some(PARTITIONS[0].outputs)
        );
        assert_eq!(name_of("aws-global"), Some("aws"));
        assert_eq!(name_of("aws-cn-global"), Some("aws-cn"));
        assert_eq!(
            resolve(PARTITIONS, "cn-north-1"),
            Some(PARTITIONS[1].outputs)
        );
        assert_eq!(name_of("eusc-de-east-1"), Some("aws-eusc"));
        assert_eq!(name_of("us-isof-south-1"), Some("aws-iso-f"));
    }

    #[test]
    fn explicit_regions_win_over_an_earlier_partitions_regex() {
        assert_eq!(
            resolve(PARTITIONS, "us-gov-west-1"),
            Some(PARTITIONS[7].outputs)
        );
        // In this table `us-special-1` matches the first partition's regex but is listed
        // by the second: the listing wins.
        static OVERLAPPING: &[Partition] = &[
            Partition {
                id: "aws",
                region_regex: r"^us\-\w+\-\d+$",
                regions: &[],
                outputs: outputs("aws", "amazonaws.com", "api.aws", "us-east-1"),
            },
            Partition {
                id: "special",
                region_regex: r"^special\-\d+$",
                regions: &[("us-special-1", RegionOverride::NONE)],
                outputs: outputs(
                    "special",
                    "special.example",
                    "special.example",
                    "us-special-1",
                ),
            },
        ];
        assert_eq!(
            resolve(OVERLAPPING, "us-special-1").map(|o| o.name),
            Some("special")
        );
        assert_eq!(
            resolve(OVERLAPPING, "us-special-2").map(|o| o.name),
            Some("aws")
        );
    }

    #[test]
    fn regex_only_regions() {
        assert_eq!(name_of("us-east-99"), Some("aws"));
        assert_eq!(name_of("ap-southeast-9"), Some("aws"));
        assert_eq!(
            resolve(PARTITIONS, "cn-south-9"),
            Some(PARTITIONS[1].outputs)
        );
        assert_eq!(name_of("eusc-de-west-1"), Some("aws-eusc"));
        assert_eq!(name_of("us-isob-west-9"), Some("aws-iso-b"));
        assert_eq!(name_of("us-iso-west-1"), Some("aws-iso"));
        assert_eq!(name_of("eu-isoe-north-2"), Some("aws-iso-e"));
        assert_eq!(name_of("us-isof-east-1"), Some("aws-iso-f"));
        // `\w` does not match `-`, so the `aws` regex does not claim GovCloud names.
        assert_eq!(
            resolve(PARTITIONS, "us-gov-north-3"),
            Some(PARTITIONS[7].outputs)
        );
        // Repeated calls use the cached regex.
        assert_eq!(name_of("cn-south-9"), Some("aws-cn"));
    }

    #[test]
    fn concurrent_first_use_of_the_regex_cache() {
        let threads: Vec<_> = (0..4)
            .map(|i| {
                std::thread::spawn(move || {
                    for n in 0..50 {
                        let region = format!("us-iso-west-{}", i * 100 + n);
                        assert_eq!(name_of(&region), Some("aws-iso"));
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("no panic");
        }
    }

    #[test]
    fn unknown_regions_fall_back_to_aws() {
        for region in [
            "",
            "mars-east-1",
            "local",
            "US-EAST-1",
            "us-east-1 ",
            "cn-north",
            "eusc-fr-east-1",
        ] {
            assert_eq!(
                resolve(PARTITIONS, region),
                Some(PARTITIONS[0].outputs),
                "{region:?}"
            );
        }
    }

    #[test]
    fn without_an_aws_partition_unknown_regions_resolve_to_none() {
        assert_eq!(resolve(&PARTITIONS[1..], "mars-east-1"), None);
        assert_eq!(
            resolve(&PARTITIONS[1..], "cn-north-1").map(|o| o.name),
            Some("aws-cn")
        );
        assert_eq!(resolve(&[], "us-east-1"), None);
    }

    #[test]
    fn region_overrides_apply_over_the_partition_outputs() {
        let resolved = resolve(PARTITIONS, "us-test-override-1").expect("listed region");
        assert_eq!(
            resolved,
            PartitionOutputs {
                dns_suffix: "override.example",
                supports_dual_stack: false,
                ..PARTITIONS[0].outputs
            }
        );
        assert_eq!(
            RegionOverride::NONE.apply(PARTITIONS[2].outputs),
            PARTITIONS[2].outputs
        );
        assert_eq!(RegionOverride::default(), RegionOverride::NONE);
    }

    #[test]
    fn an_uncompilable_region_regex_never_matches() {
        static BROKEN: &[Partition] = &[
            Partition {
                id: "broken",
                region_regex: r"^(us\-",
                regions: &[("broken-1", RegionOverride::NONE)],
                outputs: outputs("broken", "b.example", "b.example", "broken-1"),
            },
            Partition {
                id: "aws",
                region_regex: r"^(us|eu)\-\w+\-\d+$",
                regions: &[],
                outputs: outputs("aws", "amazonaws.com", "api.aws", "us-east-1"),
            },
        ];
        let error = validate_region_regex(BROKEN[0].region_regex).unwrap_err();
        assert!(error.starts_with(r"region regex `^(us\-`: "), "{error}");
        // No Unicode classes in regex-lite: refused, not guessed.
        assert!(validate_region_regex(r"^\p{L}+\-\d+$").is_err());
        assert_eq!(resolve(BROKEN, "us-east-1").map(|o| o.name), Some("aws"));
        assert_eq!(resolve(BROKEN, "broken-1").map(|o| o.name), Some("broken"));
    }

    /// Builds the table from the real `partitions.json` the way generated code does, and
    /// checks every regex compiles and every listed region resolves to its partition.
    #[test]
    fn the_models_partitions_json() {
        fn leak(s: &str) -> &'static str {
            Box::leak(s.to_owned().into_boxed_str())
        }
        let text = include_str!("../../../model/meteringmarketplace/partitions.json");
        let json: serde_json::Value = serde_json::from_str(text).expect("partitions.json parses");
        let mut table = Vec::new();
        let mut listed = Vec::new();
        for partition in json["partitions"].as_array().expect("partitions array") {
            let out = &partition["outputs"];
            let string =
                |key: &str| leak(out[key].as_str().unwrap_or_else(|| panic!("outputs.{key}")));
            let boolean = |key: &str| {
                out[key]
                    .as_bool()
                    .unwrap_or_else(|| panic!("outputs.{key}"))
            };
            let regions: Vec<(&'static str, RegionOverride)> = partition["regions"]
                .as_object()
                .expect("regions object")
                .keys()
                .map(|name| (leak(name), RegionOverride::NONE))
                .collect();
            let id = leak(partition["id"].as_str().expect("id"));
            listed.extend(regions.iter().map(|(name, _)| (*name, id)));
            let region_regex = leak(partition["regionRegex"].as_str().expect("regionRegex"));
            validate_region_regex(region_regex).unwrap_or_else(|e| panic!("{id}: {e}"));
            table.push(Partition {
                id,
                region_regex,
                regions: Box::leak(regions.into_boxed_slice()),
                outputs: PartitionOutputs {
                    name: string("name"),
                    dns_suffix: string("dnsSuffix"),
                    dual_stack_dns_suffix: string("dualStackDnsSuffix"),
                    supports_fips: boolean("supportsFIPS"),
                    supports_dual_stack: boolean("supportsDualStack"),
                    implicit_global_region: string("implicitGlobalRegion"),
                },
            });
        }
        assert!(
            listed.len() > 30,
            "expected the full region list, got {}",
            listed.len()
        );
        for (region, id) in listed {
            assert_eq!(
                resolve(&table, region).map(|o| o.name),
                Some(id),
                "{region}"
            );
        }
        for (region, id) in [
            ("us-east-99", "aws"),
            ("cn-south-9", "aws-cn"),
            ("eusc-de-west-1", "aws-eusc"),
            ("us-isob-west-9", "aws-iso-b"),
            ("us-isof-north-7", "aws-iso-f"),
            ("mars-east-1", "aws"),
        ] {
            assert_eq!(
                resolve(&table, region).map(|o| o.name),
                Some(id),
                "{region}"
            );
        }
        let gov = resolve(&table, "us-gov-west-1").expect("GovCloud");
        assert_eq!(
            (gov.name, gov.implicit_global_region),
            ("aws-us-gov", "us-gov-west-1")
        );
    }
}
