//! Realistic demo content: verified professionals of several professions, an organisation, a
//! moderator and an admin, members, an unverified professional and a pending verification.
//! Seeding is idempotent: an account whose e-mail already exists is left as it is. A handful of
//! posts, follows and replies go through the same publishing rules as everyone's (they are
//! added once, when the demo professional has no posts yet).

use credence_core::accounts::{self, NewAccount};
use credence_core::posts::{self, CitationInput, Compose, PostKind};
use credence_core::profiles::{self, npi_check_digit, ProfileUpdate};
use credence_core::{engagement, topics, verification};
use credence_core::{Actor, Core, CoreResult, Role};

/// The password of every demo account (the README prints it; demo data is for trying Credence
/// on one's own machine, never for production).
pub const DEMO_PASSWORD: &str = "credence-demo-2026";

struct DemoAccount {
    email: &'static str,
    handle: &'static str,
    name: &'static str,
    role: Role,
    details: Option<Details>,
    disclosures: &'static [(&'static str, &'static str, &'static str)],
    end_state: EndState,
}

struct Details {
    profession: Option<&'static str>,
    org_kind: Option<&'static str>,
    specialty: &'static str,
    credentials: &'static str,
    licence: &'static str,
    jurisdiction: &'static str,
    npi_prefix: Option<&'static str>,
    affiliations: &'static str,
    bio: &'static str,
    links: &'static str,
}

#[derive(PartialEq)]
enum EndState {
    Verified,
    Pending,
    Unverified,
}

fn accounts() -> Vec<DemoAccount> {
    vec![
        DemoAccount {
            email: "admin@credence.example", handle: "site_admin", name: "Credence Admin",
            role: Role::Admin, details: None, disclosures: &[], end_state: EndState::Unverified,
        },
        DemoAccount {
            email: "moderator@credence.example", handle: "mod_rivera", name: "Jordan Rivera (moderator)",
            role: Role::Moderator, details: None, disclosures: &[], end_state: EndState::Unverified,
        },
        DemoAccount {
            email: "amara.okafor@lakeside.example", handle: "dr_okafor", name: "Dr Amara Okafor",
            role: Role::Professional,
            details: Some(Details {
                profession: Some("physician"), org_kind: None, specialty: "Cardiology",
                credentials: "MD, FACC", licence: "NY-MD-284913", jurisdiction: "New York State Education Department",
                npi_prefix: Some("148293715"), affiliations: "Lakeside Family Health\nUniversity Heart Institute",
                bio: "Cardiologist. I write about blood pressure, cholesterol and heart-healthy habits, always with the evidence behind them.",
                links: "https://lakeside.example/doctors/okafor",
            }),
            disclosures: &[("Medtronic", "speaker", "Paid speaker at two continuing-education events on heart-failure devices (2025).")],
            end_state: EndState::Verified,
        },
        DemoAccount {
            email: "sam.lee@lakeside.example", handle: "nurse_sam", name: "Sam Lee, RN, CDCES",
            role: Role::Professional,
            details: Some(Details {
                profession: Some("nurse"), org_kind: None, specialty: "Diabetes education",
                credentials: "RN, CDCES", licence: "RN-7731902", jurisdiction: "Illinois Department of Financial and Professional Regulation",
                npi_prefix: None, affiliations: "Lakeside Family Health",
                bio: "Diabetes nurse educator. Practical tips on glucose monitoring, insulin and living well with diabetes.",
                links: "",
            }),
            disclosures: &[], end_state: EndState::Verified,
        },
        DemoAccount {
            email: "r.santos@pharmacy.example", handle: "pharm_santos", name: "Rafael Santos, PharmD",
            role: Role::Professional,
            details: Some(Details {
                profession: Some("pharmacist"), org_kind: None, specialty: "Ambulatory care",
                credentials: "PharmD, BCACP", licence: "PH-0098812", jurisdiction: "California State Board of Pharmacy",
                npi_prefix: Some("170392841"), affiliations: "Community Pharmacy Network",
                bio: "Pharmacist. Medication safety, interactions, and how to take your medicines well.",
                links: "",
            }),
            disclosures: &[], end_state: EndState::Verified,
        },
        DemoAccount {
            email: "eva.kowalski@nutrition.example", handle: "rd_kowalski", name: "Eva Kowalski, RD",
            role: Role::Professional,
            details: Some(Details {
                profession: Some("dietitian"), org_kind: None, specialty: "Renal and cardiometabolic nutrition",
                credentials: "MS, RD, LDN", licence: "LDN-55120", jurisdiction: "Massachusetts Board of Dietitians and Nutritionists",
                npi_prefix: None, affiliations: "Lakeside Family Health",
                bio: "Registered dietitian. Food first, no fads.",
                links: "",
            }),
            disclosures: &[("National Dairy Council", "research_funding", "Unrestricted grant for a 2024 study on calcium intake.")],
            end_state: EndState::Verified,
        },
        DemoAccount {
            email: "hello@lakeside.example", handle: "lakeside_health", name: "Lakeside Family Health",
            role: Role::Organisation,
            details: Some(Details {
                profession: None, org_kind: Some("clinic"), specialty: "Primary care, cardiology, diabetes education",
                credentials: "", licence: "CLIN-IL-40021", jurisdiction: "Illinois Department of Public Health",
                npi_prefix: Some("165029384"), affiliations: "",
                bio: "A community primary-care clinic. Our clinicians share news, clinic hours and health tips here.",
                links: "https://lakeside.example",
            }),
            disclosures: &[], end_state: EndState::Verified,
        },
        DemoAccount {
            email: "priya.garcia@clinic.example", handle: "np_garcia", name: "Priya Garcia, NP",
            role: Role::Professional,
            details: Some(Details {
                profession: Some("nurse_practitioner"), org_kind: None, specialty: "Women's health",
                credentials: "MSN, WHNP-BC", licence: "NP-2210457", jurisdiction: "Texas Board of Nursing",
                npi_prefix: None, affiliations: "Hillcrest Women's Clinic",
                bio: "Nurse practitioner in women's health.",
                links: "",
            }),
            disclosures: &[], end_state: EndState::Pending,
        },
        DemoAccount {
            email: "ty@wellness.example", handle: "wellness_ty", name: "Ty Brooks",
            role: Role::Professional,
            details: Some(Details {
                profession: Some("other"), org_kind: None, specialty: "Wellness coaching",
                credentials: "", licence: "", jurisdiction: "",
                npi_prefix: None, affiliations: "",
                bio: "Wellness coach. Not yet verified.",
                links: "",
            }),
            disclosures: &[("Vitality Supplements Co.", "sponsorship", "Paid partnership for product posts.")],
            end_state: EndState::Unverified,
        },
        DemoAccount {
            email: "maria@example.org", handle: "maria_m", name: "Maria",
            role: Role::Member, details: None, disclosures: &[], end_state: EndState::Unverified,
        },
        DemoAccount {
            email: "jt@example.org", handle: "jtaylor", name: "J. Taylor",
            role: Role::Member, details: None, disclosures: &[], end_state: EndState::Unverified,
        },
        DemoAccount {
            email: "caregiver.dev@example.org", handle: "caring_dev", name: "Dev (caregiver)",
            role: Role::Member, details: None, disclosures: &[], end_state: EndState::Unverified,
        },
    ]
}

/// Seeds the demo accounts; returns how many were created (0 when run again).
pub async fn seed(core: &Core) -> CoreResult<usize> {
    let mut created = 0;
    let admin_id = ensure_created(core, &accounts()[0])
        .await?
        .map(|a| a.user_id);
    if admin_id.is_some() {
        created += 1;
    }
    for account in accounts().iter().skip(1) {
        let Some(actor) = ensure_created(core, account).await? else {
            continue;
        };
        created += 1;
        if let Some(d) = &account.details {
            let npi = d.npi_prefix.map(|p| format!("{p}{}", npi_check_digit(p)));
            profiles::update(
                core,
                &actor,
                ProfileUpdate {
                    bio: Some(d.bio.into()),
                    links: Some(d.links.into()),
                    profession: d.profession.map(Into::into),
                    org_kind: d.org_kind.map(Into::into),
                    specialty: Some(d.specialty.into()),
                    credentials: Some(d.credentials.into()),
                    licence_number: Some(d.licence.into()),
                    licence_jurisdiction: Some(d.jurisdiction.into()),
                    npi,
                    affiliations: Some(d.affiliations.into()),
                    ..Default::default()
                },
            )
            .await?;
        }
        for (company, relationship, details) in account.disclosures {
            profiles::add_disclosure(core, &actor, company, relationship, details).await?;
        }
        match account.end_state {
            EndState::Verified => {
                verification::verify_directly(core, None, actor.profile_id, "demo content").await?
            }
            EndState::Pending => {
                verification::submit(
                    core,
                    &actor,
                    "Licence can be checked on the Texas BON website.",
                )
                .await?;
            }
            EndState::Unverified => {}
        }
    }
    seed_posts(core).await?;
    Ok(created)
}

async fn actor(core: &Core, handle: &str) -> CoreResult<Actor> {
    let profile = profiles::get_by_handle(core, handle).await?;
    let user = accounts::get_user(core, profile.user_id).await?;
    Ok(Actor {
        user_id: user.id,
        role: user.role,
        profile_id: profile.id,
    })
}

fn citation(value: &str, title: &str) -> CitationInput {
    CitationInput {
        kind: None,
        value: value.into(),
        title: title.into(),
    }
}

/// A few posts that show the label at work, with follows, a reply and a like. Returns how many
/// posts it added (0 when they are already there).
async fn seed_posts(core: &Core) -> CoreResult<usize> {
    let okafor = actor(core, "dr_okafor").await?;
    if posts::count_by_author(core, okafor.profile_id).await? > 0 {
        return Ok(0);
    }
    let sam = actor(core, "nurse_sam").await?;
    let santos = actor(core, "pharm_santos").await?;
    let maria = actor(core, "maria_m").await?;
    let article = posts::create(
        core,
        &okafor,
        Compose {
            kind: PostKind::Article,
            title: "High blood pressure, in plain words".into(),
            body: "## What the numbers mean\n\nThe top number (systolic) is the pressure when \
                   your heart beats; the bottom number (diastolic) is the pressure between beats. \
                   A reading of 130/80 or higher, measured on several days, is high blood \
                   pressure.\n\n## What helps\n\n- Less salt: aim for under 2,300 mg a day.\n\
                   - Moving more: 150 minutes of brisk walking a week.\n- Taking your medicines \
                   as prescribed.\n\n#hypertension"
                .into(),
            citations: vec![
                citation(
                    "https://www.cdc.gov/high-blood-pressure/about/index.html",
                    "CDC: About high blood pressure",
                ),
                citation(
                    "10.1161/HYP.0000000000000065",
                    "2017 ACC/AHA guideline for high blood pressure in adults",
                ),
            ],
            ..Compose::default()
        },
    )
    .await?;
    let tip = posts::create(
        core,
        &sam,
        Compose {
            kind: PostKind::Tip,
            body: "Checking your blood sugar? Wash and dry your hands first: sugar from fruit \
                   on your fingers can make the reading falsely high. #diabetes"
                .into(),
            citations: vec![citation(
                "https://www.cdc.gov/diabetes/diabetes-testing/monitoring-blood-sugar.html",
                "CDC: Monitoring your blood sugar",
            )],
            ..Compose::default()
        },
    )
    .await?;
    posts::create(
        core,
        &santos,
        Compose {
            body: "Antibiotics do not work against colds or flu: they are caused by viruses. \
                   Ask your pharmacist what can ease the symptoms instead. #influenza"
                .into(),
            ..Compose::default()
        },
    )
    .await?;
    engagement::follow(core, &maria, okafor.profile_id).await?;
    engagement::follow(core, &maria, sam.profile_id).await?;
    topics::follow(core, &maria, "diabetes").await?;
    engagement::interact(core, &maria, tip.id, engagement::Interaction::Favourite).await?;
    posts::create(
        core,
        &maria,
        Compose {
            body: "Thank you, this is the first time the numbers made sense to me.".into(),
            in_reply_to_id: Some(article.id),
            ..Compose::default()
        },
    )
    .await?;
    Ok(4)
}

async fn ensure_created(core: &Core, account: &DemoAccount) -> CoreResult<Option<Actor>> {
    let exists = sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(account.email)
        .fetch_optional(&core.db.pool)
        .await?
        .is_some();
    if exists {
        return Ok(None);
    }
    let (user, profile) = accounts::create_account(
        core,
        NewAccount {
            email: account.email,
            handle: account.handle,
            display_name: account.name,
            password: DEMO_PASSWORD,
            role: account.role,
        },
        None,
    )
    .await?;
    Ok(Some(Actor {
        user_id: user.id,
        role: user.role,
        profile_id: profile.id,
    }))
}
