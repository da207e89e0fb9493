//! What a period's recorded run holds for a customer, against an explanation of it: an audit
//! reproduces a recorded decision with `explain` (the command reads the record; the engine
//! only carries it with the explanation).

use serde::Serialize;

/// The period's recorded run against an explanation: whether it holds the same outputs and
/// rule ids for the customer, and if not, which differ (an audit reproduces a decision).
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub run_id: i64,
    pub period: String,
    pub as_of: String,
    /// The rules it was made with (`None`: not recorded).
    pub fingerprint: Option<String>,
    /// The git commit of those rules, with their uncommitted edits when there were some
    /// (`None`: outside a repository, or not recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules_revision: Option<String>,
    /// Those rules decide otherwise than the explaining ones (more than comments, layout or
    /// the summary's display settings differ).
    pub other_rules: bool,
    /// The run holds a policy for the customer.
    pub holds_customer: bool,
    /// The tierwise that made the run, when another than this one (`"tierwise 0.1.0"`, or
    /// `"a tierwise that did not record its version"`
    /// run that did not record it): a new version may evaluate some rules otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub made_by_other_tierwise: Option<String>,
    /// Outputs whose recorded value is not the explained one.
    pub differences: Vec<RecordedDifference>,
    /// The recorded rule ids, when they are not the explained ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_ids: Option<Vec<String>>,
    /// The customer data read now is not the data the run read (its recorded fingerprint
    /// differs); `None`: the run did not record it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_changed: Option<bool>,
    /// A run the period's official run replaced since, made as of the explained day: the
    /// official run, which this one compares with instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<LatestRun>,
    /// The run left the customer out (`run --keep-going`): the rule that failed, its message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_out: Option<(String, String)>,
    /// Nothing the run was made from differs from what this explanation read (the rules,
    /// the day, the customer data, tierwise, and no history read), yet the record differs
    /// or is missing: it was changed after the run wrote it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub edited_since_written: bool,
    /// Explained with `--rules-at`: those rules, as named (`HEAD~1:rules/`), and their
    /// fingerprint.
    #[serde(skip)]
    pub rules_at: Option<(String, String)>,
}

/// A recorded run, by its period, id and date.
#[derive(Debug, Clone, Serialize)]
pub struct LatestRun {
    pub period: String,
    pub run_id: i64,
    pub as_of: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordedDifference {
    pub output: String,
    pub recorded: serde_json::Value,
    pub explained: serde_json::Value,
}

impl Recorded {
    /// The explanation is what the run recorded.
    pub fn same(&self) -> bool {
        self.holds_customer && self.differences.is_empty() && self.rule_ids.is_none()
    }
}
