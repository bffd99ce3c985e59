//! The partial result of one shard of a sweep (`spillway sweep --shard I/N --out FILE`,
//! kind `sweep_part`), and the one place in the crate that reads a document back.
//!
//! A part must give back exactly the runs that were written, so it is the only DTO that
//! derives `Deserialize` (`tests/it/tidy.rs` checks it). Every `f64` is written by
//! serde_json's shortest round-trip formatting and read by its exact parser (the
//! `float_roundtrip` feature); NaN and infinities, which JSON lacks, are the strings
//! `"NaN"`, `"inf"` and `"-inf"`, so that `None` (`null`) and a non-finite value stay
//! distinct. A NaN reads back as the canonical NaN: nothing prints its sign or payload.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::{SCHEMA_VERSION, verdict_key};
use crate::experiment::{PointRun, Shard};
use crate::report::{PartError, SweepPart, scenario_hash};
use crate::stats::{Recovery, RecoveryVerdict, Sample};

/// The `kind` of a part.
const KIND: &str = "sweep_part";

/// The fields read first, whatever the document, to say what it is before reading it whole.
#[derive(Deserialize)]
struct Header {
    schema_version: Option<u64>,
    spillway_version: Option<String>,
    kind: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SweepPartDoc {
    schema_version: u32,
    spillway_version: String,
    kind: String,
    scenario: String,
    scenario_hash: String,
    /// The whole scenario file, from which the merge rebuilds every point.
    scenario_text: String,
    /// Each `--vary` as given.
    vary: Vec<String>,
    /// `--load` as given, or `null`.
    load: Option<String>,
    replications: u64,
    /// `--seed` as given, or `null` for the scenario's seed.
    seed: Option<u64>,
    shard: ShardDoc,
    runs: Vec<RunDoc>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShardDoc {
    index: u64,
    count: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunDoc {
    point: usize,
    replication: u64,
    sample: SampleDoc,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SampleDoc {
    values: Vec<Option<Float>>,
    little: Vec<Float>,
    recovery: Option<RecoveryDoc>,
    stopped: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecoveryDoc {
    trigger_start_secs: Float,
    trigger_end_secs: Float,
    baseline_goodput: Float,
    baseline_offered: Float,
    final_goodput: Float,
    /// "recovered", "not_recovered" or "no_healthy_baseline".
    verdict: String,
    /// Seconds from the end of the trigger to recovery; `null` unless recovered.
    recovered_after_secs: Option<Float>,
}

/// An `f64` that JSON can hold whatever its value: a number, or `"NaN"`, `"inf"`, `"-inf"`.
#[derive(Clone, Copy)]
struct Float(f64);

impl Serialize for Float {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            x if x.is_finite() => serializer.serialize_f64(x),
            x if x.is_nan() => serializer.serialize_str("NaN"),
            x if x > 0.0 => serializer.serialize_str("inf"),
            _ => serializer.serialize_str("-inf"),
        }
    }
}

impl<'de> Deserialize<'de> for Float {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Float, D::Error> {
        struct FloatVisitor;
        impl Visitor<'_> for FloatVisitor {
            type Value = Float;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number, \"NaN\", \"inf\" or \"-inf\"")
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Float, E> {
                Ok(Float(x))
            }
            // serde_json writes every f64 with a point or an exponent, so integers come
            // only from a hand-written file; they read as the nearest f64.
            fn visit_u64<E: de::Error>(self, x: u64) -> Result<Float, E> {
                Ok(Float(x as f64))
            }
            fn visit_i64<E: de::Error>(self, x: i64) -> Result<Float, E> {
                Ok(Float(x as f64))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Float, E> {
                match text {
                    "NaN" => Ok(Float(f64::NAN)),
                    "inf" => Ok(Float(f64::INFINITY)),
                    "-inf" => Ok(Float(f64::NEG_INFINITY)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(text), &self)),
                }
            }
        }
        deserializer.deserialize_any(FloatVisitor)
    }
}

impl SweepPartDoc {
    pub(crate) fn new(part: &SweepPart) -> SweepPartDoc {
        SweepPartDoc {
            schema_version: SCHEMA_VERSION,
            spillway_version: env!("CARGO_PKG_VERSION").to_string(),
            kind: KIND.to_string(),
            scenario: part.scenario_path.clone(),
            scenario_hash: scenario_hash(&part.scenario_text),
            scenario_text: part.scenario_text.clone(),
            vary: part.vary.clone(),
            load: part.load.clone(),
            replications: part.replications,
            seed: part.seed,
            shard: ShardDoc {
                index: part.shard.index,
                count: part.shard.count,
            },
            runs: part.runs.iter().map(RunDoc::new).collect(),
        }
    }

    /// Reads a part: first what the document is (kind and versions), then all of it.
    pub(crate) fn read(bytes: &[u8]) -> Result<SweepPart, PartError> {
        let malformed = |e: serde_json::Error| PartError::Malformed(e.to_string());
        let header: Header = serde_json::from_slice(bytes).map_err(malformed)?;
        match header.kind.as_deref() {
            Some(KIND) => {}
            Some(other) => return Err(PartError::Kind(other.to_string())),
            None => {
                return Err(PartError::Malformed(
                    "it has no 'kind' (a part's is 'sweep_part')".into(),
                ));
            }
        }
        let version = header.spillway_version.unwrap_or_default();
        let schema = header.schema_version.unwrap_or(0);
        if version != env!("CARGO_PKG_VERSION") || schema != u64::from(SCHEMA_VERSION) {
            return Err(PartError::Version { version, schema });
        }
        let doc: SweepPartDoc = serde_json::from_slice(bytes).map_err(malformed)?;
        doc.into_part()
    }

    fn into_part(self) -> Result<SweepPart, PartError> {
        if scenario_hash(&self.scenario_text) != self.scenario_hash {
            return Err(PartError::Edited(format!(
                "its scenario text does not hash to its scenario_hash {}",
                self.scenario_hash
            )));
        }
        let shard = Shard::new(self.shard.index, self.shard.count).ok_or_else(|| {
            PartError::Edited(format!(
                "shard {}/{} is not a shard (I counts from 0 and is below N, at most {})",
                self.shard.index,
                self.shard.count,
                Shard::MAX_COUNT
            ))
        })?;
        Ok(SweepPart {
            scenario_path: self.scenario,
            scenario_text: self.scenario_text,
            vary: self.vary,
            load: self.load,
            replications: self.replications,
            seed: self.seed,
            shard,
            runs: (self.runs.into_iter())
                .map(RunDoc::into_run)
                .collect::<Result<_, _>>()?,
        })
    }
}

impl RunDoc {
    fn new(run: &PointRun) -> RunDoc {
        let sample = &run.sample;
        RunDoc {
            point: run.point,
            replication: run.replication,
            sample: SampleDoc {
                values: sample.values.iter().map(|v| v.map(Float)).collect(),
                little: sample.little.iter().copied().map(Float).collect(),
                recovery: sample.recovery.as_ref().map(RecoveryDoc::new),
                stopped: sample.stopped.clone(),
            },
        }
    }

    fn into_run(self) -> Result<PointRun, PartError> {
        let sample = self.sample;
        Ok(PointRun {
            point: self.point,
            replication: self.replication,
            sample: Sample {
                values: sample.values.into_iter().map(|v| v.map(|f| f.0)).collect(),
                little: sample.little.into_iter().map(|f| f.0).collect(),
                recovery: sample
                    .recovery
                    .map(RecoveryDoc::into_recovery)
                    .transpose()?,
                stopped: sample.stopped,
            },
        })
    }
}

impl RecoveryDoc {
    fn new(r: &Recovery) -> RecoveryDoc {
        RecoveryDoc {
            trigger_start_secs: Float(r.trigger_start_secs),
            trigger_end_secs: Float(r.trigger_end_secs),
            baseline_goodput: Float(r.baseline_goodput),
            baseline_offered: Float(r.baseline_offered),
            final_goodput: Float(r.final_goodput),
            verdict: verdict_key(r.verdict).to_string(),
            recovered_after_secs: r.recovered_after_secs().map(Float),
        }
    }

    fn into_recovery(self) -> Result<Recovery, PartError> {
        let verdict = match (self.verdict.as_str(), self.recovered_after_secs) {
            ("recovered", Some(after)) => RecoveryVerdict::Recovered {
                after_secs: after.0,
            },
            ("not_recovered", None) => RecoveryVerdict::NotRecovered,
            ("no_healthy_baseline", None) => RecoveryVerdict::NoHealthyBaseline,
            (verdict, after) => {
                return Err(PartError::Edited(format!(
                    "the recovery verdict '{verdict}' with recovered_after_secs {}",
                    after.map_or("null".to_string(), |a| a.0.to_string())
                )));
            }
        };
        Ok(Recovery {
            trigger_start_secs: self.trigger_start_secs.0,
            trigger_end_secs: self.trigger_end_secs.0,
            baseline_goodput: self.baseline_goodput.0,
            baseline_offered: self.baseline_offered.0,
            final_goodput: self.final_goodput.0,
            verdict,
        })
    }
}
