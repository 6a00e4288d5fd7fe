//! PHI detection on hand-written cases (not from the evaluation corpus): identifiers of private
//! people are found; look-alikes of organisations, clinicians and public information are not.

use credence_check::phi::{Author, PhiDetector, PhiLabel};

fn found(text: &str) -> Vec<(PhiLabel, String)> {
    let d = PhiDetector::new();
    d.detect(text, &Author::default())
        .into_iter()
        .map(|h| (h.label, text[h.span.start..h.span.end].to_string()))
        .collect()
}

fn has(text: &str, label: PhiLabel, value: &str) {
    let hits = found(text);
    assert!(
        hits.iter().any(|(l, v)| *l == label && v == value),
        "expected {label:?} '{value}' in {text:?}, got {hits:?}"
    );
}

fn clean(text: &str) {
    let hits = found(text);
    assert!(hits.is_empty(), "expected no PHI in {text:?}, got {hits:?}");
}

#[test]
fn names_with_evidence() {
    has(
        "Please keep my grandson Tobias in your thoughts tonight.",
        PhiLabel::Name,
        "Tobias",
    );
    has(
        "Saw Mrs. Eleanor Whitfield in clinic, doing well.",
        PhiLabel::Name,
        "Eleanor Whitfield",
    );
    has("pt J.R. refused the second dose.", PhiLabel::Name, "J.R.");
    has(
        "Hi all, I'm Marcus Lee and I was just diagnosed with lupus.",
        PhiLabel::Name,
        "Marcus Lee",
    );
    has(
        "#PrayForDelphine she starts chemo tomorrow",
        PhiLabel::Name,
        "Delphine",
    );
    has(
        "her neighbour margaret collins found her on the floor",
        PhiLabel::Name,
        "margaret collins",
    );
    has(
        "Charted on Whitaker, Joan (MRN 55102) by mistake.",
        PhiLabel::Name,
        "Whitaker",
    );
}

#[test]
fn clinicians_eponyms_and_public_figures_are_not_names() {
    clean("Thanks Dr. Patel for the great talk on Crohn's disease!");
    clean("Ask Dr Rivera about Graves' disease and Hashimoto's thyroiditis.");
    clean("Florence Nightingale would have loved hand-hygiene audits.");
    clean("Living with Parkinson's? Our support group meets on Tuesdays. #Parkinsons");
    clean("Down syndrome awareness starts with listening.");
}

#[test]
fn the_authors_byline_is_not_phi() {
    let d = PhiDetector::new();
    let text = "Cut salt, keep moving, know your numbers. — Amara Okafor";
    // Without knowing the author, a signed name is a name…
    assert!(!d.detect(text, &Author::default()).is_empty());
    // …but the author's own byline is not PHI.
    let author = Author {
        names: vec!["Dr Amara Okafor".into(), "dr_okafor".into()],
    };
    assert!(d.detect(text, &author).is_empty());
}

#[test]
fn identifiers_after_keywords_even_misspelt() {
    has(
        "My MRN is A-4471-09, can someone check my results?",
        PhiLabel::Mrn,
        "A-4471-09",
    );
    has(
        "insurance membber id QZ88120044 was rejected again",
        PhiLabel::HealthPlanId,
        "QZ88120044",
    );
    has(
        "lost my licnese D5521-880-12 at the ER",
        PhiLabel::LicenseNumber,
        "D5521-880-12",
    );
    has(
        "His insulin pump serial # PX-30017 keeps alarming.",
        PhiLabel::DeviceId,
        "PX-30017",
    );
    has(
        "claim number CL-2024-88120 was denied",
        PhiLabel::OtherId,
        "CL-2024-88120",
    );
    has(
        "SSN 078-05-1120 was on the form",
        PhiLabel::Ssn,
        "078-05-1120",
    );
    has(
        "plate 7ABC123 hit my mom's car",
        PhiLabel::VehicleId,
        "7ABC123",
    );
}

#[test]
fn contact_details_of_people_but_not_of_organisations() {
    has(
        "Call my daughter at (312) 555-0142 if you can help.",
        PhiLabel::Phone,
        "(312) 555-0142",
    );
    has(
        "email me at jane.roe88@gmail.com please",
        PhiLabel::Email,
        "jane.roe88@gmail.com",
    );
    clean("Questions? Call our office at (312) 555-0100 or email info@lakesideclinic.org.");
    clean("Poison control: 1-800-222-1222. Save it in your phone.");
    clean("If you are struggling, call or text 988.");
    has(
        "Donate here: https://www.gofundme.com/f/help-sam-recover",
        PhiLabel::Url,
        "https://www.gofundme.com/f/help-sam-recover",
    );
    clean("Read more at https://www.cdc.gov/flu/prevent/index.html");
    has(
        "his IP was 203.0.113.77 per IT",
        PhiLabel::IpAddress,
        "203.0.113.77",
    );
}

#[test]
fn places_dates_and_ages_of_people_but_not_public_ones() {
    has(
        "She lives alone at 4410 Birchwood Lane, Apt 3 and keeps falling.",
        PhiLabel::Location,
        "4410 Birchwood Lane, Apt 3",
    );
    has(
        "my dad was admitted in Dayton last night",
        PhiLabel::Location,
        "Dayton",
    );
    clean("Free flu shots this Saturday at 200 Main Street, 9am to noon.");
    clean("Measles cases reported in Clark County, per the state health department.");
    has(
        "DOB 03/14/1952, admitted yesterday.",
        PhiLabel::Date,
        "03/14/1952",
    );
    has(
        "my son had surgery on March 3rd",
        PhiLabel::Date,
        "March 3rd",
    );
    clean("Happy World Kidney Day, March 13! Know your numbers.");
    has(
        "Grandma is 97 and still gardening.",
        PhiLabel::AgeOver89,
        "97",
    );
    has(
        "a 102-year-old patient walked out today",
        PhiLabel::AgeOver89,
        "102",
    );
    clean("Take 90 mg twice daily; BP 142/91 is too high; 95% of patients improved.");
}

#[test]
fn spans_stay_on_character_boundaries() {
    let text = "Ánh 🙏 my grandma Ánh Nguyễn is 98 🙏🏽 and lives in Hà Nội";
    let d = PhiDetector::new();
    for h in d.detect(text, &Author::default()) {
        assert!(text.is_char_boundary(h.span.start) && text.is_char_boundary(h.span.end));
    }
    let redacted = d.redact(text, &d.detect(text, &Author::default()));
    assert!(redacted.contains("[AGE_OVER_89]"), "{redacted}");
}

#[test]
fn a_name_then_a_comma_at_the_very_end_does_not_panic() {
    // Minimised from a fuzzing crash: "Pt Silvano Sarabia, " ends the text.
    let hits = found("Claim number SUBJ-1012. Anyone know the form? Pt Silvano Sarabia, ");
    assert!(
        hits.iter()
            .any(|(l, v)| *l == PhiLabel::Name && v == "Silvano Sarabia"),
        "{hits:?}"
    );
}

#[test]
fn more_ways_people_are_named_and_placed() {
    has(
        "Please pray for Tomás Herrera tonight",
        PhiLabel::Name,
        "Tomás Herrera",
    );
    has(
        "Priya Raman was discharged today",
        PhiLabel::Name,
        "Priya Raman",
    );
    has(
        "Spoke with Chidi's mom this morning",
        PhiLabel::Name,
        "Chidi",
    );
    has(
        "Mrs. Turner's daughter called about her results",
        PhiLabel::Name,
        "Turner",
    );
    has(
        "At 96, my nana still walks every day",
        PhiLabel::AgeOver89,
        "96",
    );
    has(
        "She lives at 221 4th Street, Dayton",
        PhiLabel::Location,
        "221 4th Street",
    );
    has("DOB 14.03.1952", PhiLabel::Date, "14.03.1952");
    has("My zip code is 60614", PhiLabel::Location, "60614");
    has(
        "Call my mom at 555-201-3344 if the clinic calls you",
        PhiLabel::Phone,
        "555-201-3344",
    );
}

#[test]
fn ordinary_health_writing_stays_clean() {
    clean("At 90, the risk of falls rises sharply.");
    clean("The Lupus Foundation was founded in 1987.");
    clean("I switched to Ozempic and read about it in Nature.");
    clean("My insurance in 2024 covered it; stage 3-4 cancer needs 1-2 specialists.");
    clean("Parkinson's is more common after 60. Wilson's disease affects copper.");
    clean("Case presented was fascinating. Call (800) 222-1222 for poison help.");
}
