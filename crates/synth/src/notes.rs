//! Clinical notes: which documents an encounter gets, when, by whom, and their prose with every
//! kind of Safe Harbor identifier, each labelled with its exact byte span.

use crate::clock::{DAY, HOUR};
use crate::phi::{LabelledText, PhiKind as K, PhiSubject};
use crate::plan::{
    EncounterClass, GeneratedEncounter, GeneratedNote, GeneratedPatient, NoteContext, NoteKind,
    Payer, Population, Sex,
};
use crate::rng::SynthRng;
use jiff::civil::Date;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date in one of the formats clinicians write (the whole text is the DATE span).
pub(crate) fn format_date(d: Date, style: u64) -> String {
    let (y, m, day) = (d.year(), d.month() as usize, d.day());
    let mon = &MONTHS[m - 1];
    match style % 8 {
        0 => format!("{m:02}/{day:02}/{y}"),
        1 => format!("{y}-{m:02}-{day:02}"),
        2 => format!("{mon} {day}, {y}"),
        3 => format!("{day} {} {y}", &mon[..3]),
        4 => format!("{m}/{day}/{:02}", y % 100),
        5 => format!("{day:02}-{}-{y}", mon[..3].to_ascii_uppercase()),
        6 => format!("{} {day}, {y}", &mon[..3]),
        _ => format!("{m}/{day}/{y}"),
    }
}

fn phone_style(phone: &str, style: u64) -> String {
    // phone is "(AAA) 555-01NN"
    let area = &phone[1..4];
    let rest = &phone[6..];
    match style % 3 {
        0 => phone.to_string(),
        1 => format!("{area}-{rest}"),
        _ => format!("{area}.{}", rest.replace('-', ".")),
    }
}

struct Writer<'a> {
    pop: &'a Population,
    patient: &'a GeneratedPatient,
    enc: &'a GeneratedEncounter,
    ctx: &'a NoteContext,
}

/// A stable number in [0, 1) from a note id (FNV-1a), to pick the note's FHIR form without drawing
/// from the random stream (so the rest of the population does not change with the share).
fn unit_hash(id: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Adds the documents of an encounter (before document-level deficiencies are injected).
pub(crate) fn write_notes(
    pop: &Population,
    rng: &mut SynthRng,
    patient: &GeneratedPatient,
    enc: &mut GeneratedEncounter,
    ctx: &NoteContext,
) {
    let d = &pop.config().documentation;
    let full = d.note_text;
    let mut plan: Vec<(NoteKind, i64, usize)> = Vec::new();
    let attending = enc.attending.unwrap_or(ctx.attending);
    match enc.class {
        EncounterClass::Inpatient => {
            let first_or = enc.operative_procedures().map(|p| p.start).min();
            if !rng.chance(d.hp_missing) {
                let mut t = match first_or {
                    Some(or) => {
                        let upper = (or - 10 * 60).min(enc.start + 23 * HOUR);
                        enc.start + rng.range(5 * 60, (upper - enc.start).max(5 * 60))
                    }
                    None => enc.start + rng.range(30 * 60, 20 * HOUR),
                };
                if let Some(or) = first_or {
                    if rng.chance(d.hp_after_surgery) {
                        t = enc.start.max(or + rng.range(HOUR, 3 * HOUR));
                    }
                }
                if rng.chance(d.hp_late) {
                    t = enc.start + rng.range(25 * HOUR, 60 * HOUR);
                }
                plan.push((NoteKind::HistoryAndPhysical, t, attending));
            }
            if let Some(c) = enc.consultant {
                let t = enc.start + rng.range(2 * HOUR, ((enc.end - enc.start) / 2).max(3 * HOUR));
                plan.push((NoteKind::ConsultNote, t, c));
            }
            let los_days = (pop.local_date(enc.end) - pop.local_date(enc.start)).get_days();
            if los_days >= 2 && !rng.chance(d.progress_note_missing) {
                let n = (los_days - 1).clamp(1, 5) as i64;
                for k in 1..=n {
                    let base = pop.clock().at(pop.local_date(enc.start + k * DAY), 0);
                    let t = pop
                        .clock()
                        .off_midnight(base + rng.range(7 * HOUR, 11 * HOUR));
                    plan.push((NoteKind::ProgressNote, t.min(enc.end), attending));
                }
            }
            for p in enc.procedures.iter().filter(|p| p.operative) {
                if !rng.chance(d.operative_report_missing) {
                    plan.push((
                        NoteKind::OperativeReport,
                        p.end + rng.range(10 * 60, 2 * HOUR),
                        p.performer,
                    ));
                }
            }
            if !rng.chance(d.discharge_summary_missing) {
                plan.push((
                    NoteKind::DischargeSummary,
                    enc.end + rng.range(HOUR, 48 * HOUR),
                    attending,
                ));
            }
        }
        EncounterClass::Observation => {
            plan.push((
                NoteKind::HistoryAndPhysical,
                enc.start + rng.range(20 * 60, 4 * HOUR),
                attending,
            ));
            plan.push((
                NoteKind::DischargeSummary,
                enc.end + rng.range(HOUR, 12 * HOUR),
                attending,
            ));
        }
        EncounterClass::Emergency | EncounterClass::Outpatient => {
            plan.push((
                NoteKind::ProgressNote,
                enc.end - rng.range(0, 10 * 60),
                attending,
            ));
        }
    }
    plan.sort_by_key(|p| p.1);
    let slug = enc.id.trim_start_matches("enc-").to_string();
    let mut notes = Vec::with_capacity(plan.len());
    for (i, (kind, date, author)) in plan.into_iter().enumerate() {
        let w = Writer {
            pop,
            patient,
            enc,
            ctx,
        };
        let labelled = if full {
            w.note(rng, kind, date, author)
        } else {
            let mut l = LabelledText::default();
            l.t(kind.display()).t(".");
            l
        };
        let id = format!("doc-{slug}-{}", i + 1);
        let composition = unit_hash(&id) < d.composition_share;
        notes.push(GeneratedNote {
            id,
            composition,
            kind,
            date,
            author,
            authenticator: Some(author),
            is_final: true,
            text: labelled.text,
            phi: labelled.spans,
        });
    }
    enc.notes = notes;
}

impl Writer<'_> {
    fn date(&self, l: &mut LabelledText, rng: &mut SynthRng, secs: i64) {
        let d = self.pop.local_date(secs);
        l.p(K::Date, &format_date(d, rng.below(8)));
    }

    fn clinician(&self, l: &mut LabelledText, idx: usize) {
        let c = &self.pop.clinicians()[idx];
        l.phi(
            K::Name,
            PhiSubject::Clinician,
            &format!("{} {}", c.given, c.family),
        );
        l.t(", MD");
    }

    fn age_phrase(&self, l: &mut LabelledText, secs: i64) {
        let age = self.patient.age_on(self.pop.local_date(secs));
        if age > 89 {
            l.p(K::Age, &age.to_string()).t("-year-old");
        } else if age == 0 {
            l.t("newborn");
        } else {
            l.t(&age.to_string()).t("-year-old");
        }
    }

    fn header(&self, l: &mut LabelledText, rng: &mut SynthRng, kind: NoteKind, date: i64) {
        let p = self.patient;
        let f = &self.pop.facilities()[self.enc.facility];
        l.t(&f.name.to_ascii_uppercase()).t("\n");
        l.t(&kind.display().to_ascii_uppercase()).t("\n\n");
        l.t("Patient: ");
        if rng.chance(0.5) {
            l.p(
                K::Name,
                &format!(
                    "{}, {} {}.",
                    p.family.to_ascii_uppercase(),
                    p.given.to_ascii_uppercase(),
                    p.middle
                ),
            );
        } else {
            l.p(K::Name, &format!("{} {}. {}", p.given, p.middle, p.family));
        }
        l.t("\nMRN: ");
        match &p.mrn {
            Some(m) => {
                l.p(K::Mrn, m);
            }
            None => {
                l.t("pending");
            }
        }
        l.t("    Account #: ").p(K::Account, &self.enc.account);
        l.t("\nDOB: ");
        l.p(K::Date, &format_date(p.birth_date, rng.below(2) * 4));
        l.t("    Sex: ").t(p.sex.code());
        l.t("\nAdmission date: ");
        self.date(l, rng, self.enc.start);
        l.t("\nDate of service: ");
        let (h, m) = self.pop.clock().hm(date);
        self.date(l, rng, date);
        l.t(&format!(" {h:02}:{m:02}"));
        l.t("\nAttending: ");
        match self.enc.attending {
            Some(a) => self.clinician(l, a),
            None => {
                l.t("not documented");
            }
        }
        l.t("\n\n");
    }

    fn address(&self, l: &mut LabelledText) {
        let a = &self.patient.address;
        l.p(K::Address, &a.line).t(", ");
        l.p(K::Location, a.place.city)
            .t(", ")
            .t(a.place.state)
            .t(" ");
        l.p(K::Zip, a.place.zip);
    }

    fn honorific(&self, l: &mut LabelledText) {
        let p = self.patient;
        if self.patient.age_on(self.pop.local_date(self.enc.start)) < 18 {
            l.p(K::Name, &p.given);
        } else {
            l.t(if p.sex == Sex::Female { "Ms. " } else { "Mr. " });
            l.p(K::Name, &p.family);
        }
    }

    fn signature(&self, l: &mut LabelledText, rng: &mut SynthRng, author: usize, date: i64) {
        let c = &self.pop.clinicians()[author];
        l.t("\n\nElectronically signed by ");
        self.clinician(l, author);
        l.t(" (NPI ");
        l.phi(K::Id, PhiSubject::Clinician, &c.npi);
        l.t(", Ohio license ");
        l.phi(K::License, PhiSubject::Clinician, &c.license);
        l.t(") on ");
        self.date(l, rng, date);
        l.t(".\n");
    }

    fn note(&self, rng: &mut SynthRng, kind: NoteKind, date: i64, author: usize) -> LabelledText {
        let mut l = LabelledText::with_capacity(2400);
        self.header(&mut l, rng, kind, date);
        match kind {
            NoteKind::HistoryAndPhysical => self.history_and_physical(&mut l, rng),
            NoteKind::ProgressNote => self.progress(&mut l, rng, date),
            NoteKind::OperativeReport => self.operative(&mut l, rng, date),
            NoteKind::DischargeSummary => self.discharge(&mut l, rng),
            NoteKind::ConsultNote => self.consult(&mut l, rng),
        }
        self.signature(&mut l, rng, author, date);
        l
    }

    fn history_and_physical(&self, l: &mut LabelledText, rng: &mut SynthRng) {
        let p = self.patient;
        let f = &self.pop.facilities()[self.enc.facility];
        l.t("CHIEF COMPLAINT / HISTORY OF PRESENT ILLNESS:\n");
        self.honorific(l);
        l.t(" is a ");
        self.age_phrase(l, self.enc.start);
        l.t(if p.sex == Sex::Female {
            " woman"
        } else {
            " man"
        });
        l.t(" who presented on ");
        self.date(l, rng, self.enc.start);
        l.t(" with ").t(self.ctx.phrase).t(". ");
        if let Some(mother) = &p.mother {
            let _ = mother;
            l.t("Born to ");
            l.phi(
                K::Name,
                PhiSubject::Relative,
                &format!("{} {}", p.contact.given, p.contact.family),
            );
            l.t(" at this facility; birth weight and Apgar scores are recorded in the delivery record.\n\n");
        } else {
            l.t("Symptoms began two days before admission. Past records were requested by fax from the primary care office.\n\n");
        }
        l.t("SOCIAL HISTORY:\nLives at ");
        self.address(l);
        l.t(" (");
        l.p(
            K::Location,
            self.patient
                .address
                .place
                .county
                .trim_end_matches(" County"),
        );
        l.t(" County) with ");
        l.t(p.contact.relationship).t(" ");
        l.phi(
            K::Name,
            PhiSubject::Relative,
            &format!("{} {}", p.contact.given, p.contact.family),
        );
        l.t(", who can be reached at ");
        l.phi(
            K::Phone,
            PhiSubject::Relative,
            &phone_style(&p.contact.phone, rng.below(3)),
        );
        l.t(". ");
        if let Some(e) = p.employer {
            l.t("Works for ");
            l.phi(K::Name, PhiSubject::Employer, e);
            l.t(". ");
        }
        if !p.drivers_license.is_empty() {
            let mut plate = String::new();
            plate.push(rng.letter());
            plate.push(rng.letter());
            plate.push(rng.letter());
            plate.push(' ');
            rng.digits(4, &mut plate);
            l.t("Drove to the hospital in a 2016 sedan, Ohio plate ");
            l.p(K::Vehicle, &plate);
            l.t(", VIN ");
            l.p(K::Vehicle, &vin(rng));
            l.t("; driver's license ");
            l.p(K::License, &p.drivers_license);
            l.t(" was scanned at registration. ");
        }
        l.t("\n\nCONTACT AND IDENTIFIERS:\nHome phone ");
        l.p(K::Phone, &phone_style(&p.phone, rng.below(3)));
        l.t(", home fax ");
        let mut fax = String::from("(");
        fax.push_str(p.address.place.area_code);
        fax.push_str(") 555-01");
        rng.digits(2, &mut fax);
        l.p(K::Fax, &fax);
        l.t(", email ");
        l.p(K::Email, &p.email);
        l.t(". SSN ");
        l.p(K::Ssn, &p.ssn);
        l.t(". ");
        match p.payer {
            Payer::SelfPay => {
                l.t("No insurance; financial counseling case ");
                let mut case = String::from("FC-");
                rng.digits(7, &mut case);
                l.p(K::Id, &case);
                l.t(". ");
            }
            payer => {
                l.t(payer.display()).t(" member ID ");
                l.p(K::HealthPlan, &p.member_id);
                l.t(". ");
            }
        }
        l.t("Patient portal: ");
        let mut url = f.portal.clone();
        url.push_str("/patient/");
        rng.digits(7, &mut url);
        l.p(K::Url, &url);
        l.t(" (last login from ");
        l.p(
            K::Ip,
            &format!(
                "{}.{}",
                ["192.0.2", "198.51.100", "203.0.113"][rng.below(3) as usize],
                1 + rng.below(254)
            ),
        );
        l.t("). Identity confirmed by palm-vein scan, template ");
        let mut bio = String::from("PV-");
        rng.digits(6, &mut bio);
        bio.push('-');
        bio.push(rng.letter());
        l.p(K::Biometric, &bio);
        l.t(".\n\nPHYSICAL EXAMINATION:\nVital signs stable. Alert and oriented. Heart regular. Lungs with scattered findings as documented. ");
        if self
            .enc
            .procedures
            .iter()
            .any(|p| p.code.starts_with("0JH6"))
            || rng.chance(0.3)
        {
            l.t("Has an implanted device, serial ");
            let mut sn = String::new();
            sn.push(rng.letter());
            sn.push(rng.letter());
            sn.push(rng.letter());
            rng.digits(6, &mut sn);
            l.p(K::Device, &sn);
            l.t(". ");
        }
        l.t("\n\nASSESSMENT AND PLAN:\n")
            .t(self.ctx.scenario_title)
            .t(": ")
            .t(self.ctx.phrase);
        l.t(". Admit to ")
            .t(&self.unit_name())
            .t(". Discussed with ");
        l.phi(K::Name, PhiSubject::Relative, &p.contact.given);
        l.t(" at bedside.");
    }

    fn unit_name(&self) -> String {
        match self.enc.units.first() {
            Some(u) => self.pop.units()[u.unit].config.name.clone(),
            None => "the emergency department".to_string(),
        }
    }

    fn progress(&self, l: &mut LabelledText, rng: &mut SynthRng, date: i64) {
        let p = self.patient;
        l.t("SUBJECTIVE:\n");
        self.honorific(l);
        l.t(" reports feeling better today. ");
        if self.enc.class == EncounterClass::Inpatient {
            l.t("Hospital day ");
            let day =
                (self.pop.local_date(date) - self.pop.local_date(self.enc.start)).get_days() + 1;
            l.t(&day.to_string()).t(" (");
            self.date(l, rng, date);
            l.t("). ");
        } else {
            l.t("Seen for ").t(self.ctx.phrase).t(". ");
        }
        l.t("\n\nOBJECTIVE:\nAfebrile, hemodynamically stable.\n\nASSESSMENT/PLAN:\n");
        l.t(self.ctx.phrase).t(": improving. ");
        if rng.chance(0.5) {
            l.t("Updated ");
            l.phi(
                K::Name,
                PhiSubject::Relative,
                &format!("{} {}", p.contact.given, p.contact.family),
            );
            l.t(" by phone at ");
            l.phi(
                K::Phone,
                PhiSubject::Relative,
                &phone_style(&p.contact.phone, rng.below(3)),
            );
            l.t(". ");
        }
        l.t("Follow up with primary care; results will be posted to ");
        l.p(K::Email, &p.email);
        l.t(".");
    }

    fn operative(&self, l: &mut LabelledText, rng: &mut SynthRng, date: i64) {
        let proc_ = self
            .enc
            .procedures
            .iter()
            .filter(|p| p.operative)
            .min_by_key(|p| (p.end - date).abs());
        l.t("PREOPERATIVE DIAGNOSIS: ").t(self.ctx.phrase).t("\n");
        l.t("PROCEDURE: ");
        if let Some(p) = proc_ {
            l.t("ICD-10-PCS ").t(p.code).t(", performed on ");
            self.date(l, rng, p.start);
            l.t(".\nSURGEON: ");
            self.clinician(l, p.performer);
        }
        l.t("\nANESTHESIA: general.\n\nFINDINGS AND TECHNIQUE:\nThe patient, ");
        self.honorific(l);
        l.t(", was identified by name and MRN ");
        match &self.patient.mrn {
            Some(m) => {
                l.p(K::Mrn, m);
            }
            None => {
                l.t("(pending)");
            }
        }
        l.t(" and the site was marked. The procedure was performed without complication. ");
        l.t("Implant lot and serial number ");
        let mut sn = String::from("SN-");
        rng.digits(8, &mut sn);
        l.p(K::Device, &sn);
        l.t(" recorded in the implant log. Estimated blood loss minimal.");
    }

    fn discharge(&self, l: &mut LabelledText, rng: &mut SynthRng) {
        let p = self.patient;
        let f = &self.pop.facilities()[self.enc.facility];
        l.t("DATES: admitted ");
        self.date(l, rng, self.enc.start);
        l.t(", discharged ");
        self.date(l, rng, self.enc.end);
        l.t(".\n\nHOSPITAL COURSE:\n");
        self.honorific(l);
        l.t(", a ");
        self.age_phrase(l, self.enc.end);
        l.t(" patient, was treated for ").t(self.ctx.phrase).t(". ");
        if self.enc.death.is_some() {
            l.t("Despite treatment the patient died on ");
            self.date(l, rng, self.enc.end);
            l.t(". The family, including ");
            l.phi(
                K::Name,
                PhiSubject::Relative,
                &format!("{} {}", p.contact.given, p.contact.family),
            );
            l.t(", was present.");
        } else {
            l.t("Discharged in stable condition to ");
            l.t(match self.enc.disposition {
                "snf" => "a skilled nursing facility",
                "hosp" => "another acute care hospital",
                "alt-home" => "home with home health",
                "rehab" => "inpatient rehabilitation",
                "aadvice" => "home, against medical advice",
                _ => "home",
            });
            l.t(" at ");
            self.address(l);
            l.t(".");
        }
        l.t("\n\nFOLLOW-UP:\nCall the clinic with questions. Discharge instructions sent to ");
        l.p(K::Email, &p.email);
        l.t(" and faxed to ");
        let mut fax = String::new();
        fax.push_str(p.address.place.area_code);
        fax.push_str("-555-01");
        rng.digits(2, &mut fax);
        l.p(K::Fax, &fax);
        l.t(". Patient portal: ");
        let mut url = f.portal.clone();
        url.push_str("/visit/");
        url.push_str(&self.enc.account);
        l.p(K::Url, &url);
        l.t(".");
    }

    fn consult(&self, l: &mut LabelledText, rng: &mut SynthRng) {
        l.t("REASON FOR CONSULTATION: ")
            .t(self.ctx.phrase)
            .t(".\n\n");
        l.t("Thank you for asking us to see ");
        self.honorific(l);
        l.t(", seen on ");
        self.date(l, rng, self.enc.start + 3 * HOUR);
        l.t(". Chart reviewed including outside records from ");
        let mut url = String::from("https://records.example.net/share/");
        rng.digits(9, &mut url);
        l.p(K::Url, &url);
        l.t(". Recommendations discussed with the primary team.");
    }
}

/// A 17-character vehicle identification number shape (no I, O, Q).
fn vin(rng: &mut SynthRng) -> String {
    const A: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    let mut s = String::with_capacity(17);
    s.push_str("1HG");
    for _ in 0..14 {
        s.push(*rng.pick(A) as char);
    }
    s
}
