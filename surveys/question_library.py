"""The questions consultants start from: SERVQUAL's 22 items, NPS/CSAT/CES and their staff mirror wording.

Pure data and wording functions (no database): `surveys.services.questionnaires` turns a template
into pages and questions. Wording carries two placeholders the consultant adapts per client:
`{company}` (the client's name) and `{industry}` (a plural noun for the kind of firm, e.g.
"telecom providers"; "companies" by default).

SERVQUAL items after Parasuraman, Zeithaml & Berry (1988), in the revised wording of 1991:
expectation statements ("Excellent … will …") and perception statements ("{company} has …"),
both answered on a 1–7 agreement scale; P − E is the item's gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_INDUSTRY = "companies"
AGREEMENT_LABELS = ("Strongly disagree", "Strongly agree")
STAFF_RATING_LABELS = ("Very poorly", "Very well")
STAFF_PREFIX = "How do you think our customers rate us on: "


@dataclass(frozen=True)
class ServqualItem:
    item_key: str
    dimension_key: str
    expectation: str
    perception: str
    topic: str  # what the item is about, for the staff mirror ("… rate us on: <topic>?")

    @property
    def staff_text(self) -> str:
        return f"{STAFF_PREFIX}{self.topic}?"


SERVQUAL_ITEMS: tuple[ServqualItem, ...] = (
    # Tangibles (1–4)
    ServqualItem(
        "SQ01",
        "tangibles",
        "Excellent {industry} will have modern-looking equipment.",
        "{company} has modern-looking equipment.",
        "having modern-looking equipment",
    ),
    ServqualItem(
        "SQ02",
        "tangibles",
        "The physical facilities at excellent {industry} will be visually appealing.",
        "{company}'s physical facilities are visually appealing.",
        "visually appealing physical facilities",
    ),
    ServqualItem(
        "SQ03",
        "tangibles",
        "Employees at excellent {industry} will be neat-appearing.",
        "{company}'s employees are neat-appearing.",
        "neat-appearing employees",
    ),
    ServqualItem(
        "SQ04",
        "tangibles",
        "Materials associated with the service (such as pamphlets or statements) will be visually appealing at "
        "excellent {industry}.",
        "Materials associated with the service (such as pamphlets or statements) are visually appealing at {company}.",
        "visually appealing materials (such as pamphlets or statements)",
    ),
    # Reliability (5–9)
    ServqualItem(
        "SQ05",
        "reliability",
        "When excellent {industry} promise to do something by a certain time, they will do so.",
        "When {company} promises to do something by a certain time, it does so.",
        "doing things by the time we promised",
    ),
    ServqualItem(
        "SQ06",
        "reliability",
        "When customers have a problem, excellent {industry} will show a sincere interest in solving it.",
        "When you have a problem, {company} shows a sincere interest in solving it.",
        "showing a sincere interest in solving customers' problems",
    ),
    ServqualItem(
        "SQ07",
        "reliability",
        "Excellent {industry} will perform the service right the first time.",
        "{company} performs the service right the first time.",
        "performing the service right the first time",
    ),
    ServqualItem(
        "SQ08",
        "reliability",
        "Excellent {industry} will provide their services at the time they promise to do so.",
        "{company} provides its services at the time it promises to do so.",
        "providing our services at the time we promised",
    ),
    ServqualItem(
        "SQ09",
        "reliability",
        "Excellent {industry} will insist on error-free records.",
        "{company} insists on error-free records.",
        "keeping error-free records",
    ),
    # Responsiveness (10–13)
    ServqualItem(
        "SQ10",
        "responsiveness",
        "Employees of excellent {industry} will tell customers exactly when services will be performed.",
        "Employees of {company} tell you exactly when services will be performed.",
        "telling customers exactly when services will be performed",
    ),
    ServqualItem(
        "SQ11",
        "responsiveness",
        "Employees of excellent {industry} will give prompt service to customers.",
        "Employees of {company} give you prompt service.",
        "giving prompt service",
    ),
    ServqualItem(
        "SQ12",
        "responsiveness",
        "Employees of excellent {industry} will always be willing to help customers.",
        "Employees of {company} are always willing to help you.",
        "always being willing to help",
    ),
    ServqualItem(
        "SQ13",
        "responsiveness",
        "Employees of excellent {industry} will never be too busy to respond to customers' requests.",
        "Employees of {company} are never too busy to respond to your requests.",
        "never being too busy to respond to customers' requests",
    ),
    # Assurance (14–17)
    ServqualItem(
        "SQ14",
        "assurance",
        "The behaviour of employees of excellent {industry} will instil confidence in customers.",
        "The behaviour of employees of {company} instils confidence in you.",
        "behaviour that instils confidence",
    ),
    ServqualItem(
        "SQ15",
        "assurance",
        "Customers of excellent {industry} will feel safe in their transactions.",
        "You feel safe in your transactions with {company}.",
        "making customers feel safe in their transactions",
    ),
    ServqualItem(
        "SQ16",
        "assurance",
        "Employees of excellent {industry} will be consistently courteous with customers.",
        "Employees of {company} are consistently courteous with you.",
        "being consistently courteous",
    ),
    ServqualItem(
        "SQ17",
        "assurance",
        "Employees of excellent {industry} will have the knowledge to answer customers' questions.",
        "Employees of {company} have the knowledge to answer your questions.",
        "having the knowledge to answer customers' questions",
    ),
    # Empathy (18–22)
    ServqualItem(
        "SQ18",
        "empathy",
        "Excellent {industry} will give customers individual attention.",
        "{company} gives you individual attention.",
        "giving customers individual attention",
    ),
    ServqualItem(
        "SQ19",
        "empathy",
        "Excellent {industry} will have operating hours convenient to all their customers.",
        "{company} has operating hours convenient to all its customers.",
        "operating hours convenient to all customers",
    ),
    ServqualItem(
        "SQ20",
        "empathy",
        "Excellent {industry} will have employees who give customers personal attention.",
        "{company} has employees who give you personal attention.",
        "employees giving customers personal attention",
    ),
    ServqualItem(
        "SQ21",
        "empathy",
        "Excellent {industry} will have their customers' best interests at heart.",
        "{company} has your best interests at heart.",
        "having customers' best interests at heart",
    ),
    ServqualItem(
        "SQ22",
        "empathy",
        "The employees of excellent {industry} will understand the specific needs of their customers.",
        "Employees of {company} understand your specific needs.",
        "understanding customers' specific needs",
    ),
)

SERVQUAL_DIMENSION_TITLES: dict[str, str] = {
    "tangibles": "Facilities, equipment and materials",
    "reliability": "Keeping promises",
    "responsiveness": "Prompt, willing help",
    "assurance": "Knowledge, courtesy and trust",
    "empathy": "Individual attention",
}


@dataclass(frozen=True)
class QuestionSpec:
    """A question as a template describes it (placeholders not yet filled)."""

    item_key: str
    kind: str
    text: str
    expectation_text: str = ""
    help_text: str = ""
    scale_points: int | None = None
    scale_min_label: str = ""
    scale_max_label: str = ""
    options: tuple[str, ...] = ()
    dimension_key: str = ""
    staff_text: str = ""


@dataclass(frozen=True)
class PageSpec:
    title: str
    description: str = ""
    questions: tuple[QuestionSpec, ...] = ()


@dataclass(frozen=True)
class TemplateSpec:
    key: str
    name: str
    description: str
    pages: tuple[PageSpec, ...] = field(default=())


NPS = QuestionSpec(
    item_key="NPS",
    kind="nps",
    text="How likely are you to recommend {company} to a friend or colleague?",
    scale_min_label="Not at all likely",
    scale_max_label="Extremely likely",
    staff_text="How likely do you think our customers are to recommend {company} to a friend or colleague?",
)
CSAT = QuestionSpec(
    item_key="CSAT",
    kind="csat",
    text="Overall, how satisfied are you with {company}?",
    scale_min_label="Very dissatisfied",
    scale_max_label="Very satisfied",
    staff_text="How satisfied do you think our customers are with {company} overall?",
)
CES = QuestionSpec(
    item_key="CES",
    kind="ces",
    text="{company} made it easy for me to handle my issue.",
    scale_min_label=AGREEMENT_LABELS[0],
    scale_max_label=AGREEMENT_LABELS[1],
    staff_text="How easy do you think our customers find it to handle their issues with {company}?",
)
IMPORTANCE_TEXT = (
    "Please divide 100 points among the following aspects according to how important each is to you: "
    "the more important an aspect, the more points it gets."
)
IMPORTANCE_STAFF_TEXT = "How do you think our customers would divide 100 points among these aspects by importance?"


def importance_question(dimension_keys: tuple[str, ...]) -> QuestionSpec:
    """The 100-point allocation across dimensions; `options` holds the dimension keys, in order."""
    return QuestionSpec(
        item_key="IMPORTANCE",
        kind="importance",
        text=IMPORTANCE_TEXT,
        help_text="The points must add up to 100.",
        options=dimension_keys,
        staff_text=IMPORTANCE_STAFF_TEXT,
    )


def servqual_question(item: ServqualItem) -> QuestionSpec:
    return QuestionSpec(
        item_key=item.item_key,
        kind="servqual_pair",
        text=item.perception,
        expectation_text=item.expectation,
        scale_min_label=AGREEMENT_LABELS[0],
        scale_max_label=AGREEMENT_LABELS[1],
        dimension_key=item.dimension_key,
        staff_text=item.staff_text,
    )


def servqual_pages(*, importance_dimensions: tuple[str, ...] = ()) -> tuple[PageSpec, ...]:
    """Five pages, one per SERVQUAL dimension, plus an importance page if dimensions are given."""
    pages = []
    for dimension_key, title in SERVQUAL_DIMENSION_TITLES.items():
        items = tuple(servqual_question(item) for item in SERVQUAL_ITEMS if item.dimension_key == dimension_key)
        pages.append(
            PageSpec(
                title=title,
                description=(
                    "For each statement, first say how far you agree it describes an excellent company of this "
                    "kind, then how far it describes {company}."
                ),
                questions=items,
            )
        )
    if importance_dimensions:
        pages.append(PageSpec(title="What matters most", questions=(importance_question(importance_dimensions),)))
    return tuple(pages)


TEMPLATE_CHOICES: tuple[tuple[str, str, str], ...] = (
    ("servqual", "SERVQUAL (22 items)", "Expectation and perception of the 22 items, one page per dimension."),
    ("nps", "Net Promoter Score", "One 0–10 recommendation question."),
    ("csat", "Customer satisfaction (CSAT)", "One 1–5 satisfaction question."),
    ("ces", "Customer effort (CES)", "One 1–7 ease question."),
    ("pulse", "NPS, CSAT and CES", "The three relationship questions on one page."),
)
TEMPLATE_KEYS = tuple(key for key, _name, _description in TEMPLATE_CHOICES)


def template_spec(key: str, *, importance_dimensions: tuple[str, ...] = ()) -> TemplateSpec:
    """The pages of a template (`importance_dimensions` adds the allocation question to SERVQUAL)."""
    names = {choice_key: (name, description) for choice_key, name, description in TEMPLATE_CHOICES}
    if key not in names:
        raise KeyError(key)
    name, description = names[key]
    pages: tuple[PageSpec, ...]
    if key == "servqual":
        pages = servqual_pages(importance_dimensions=importance_dimensions)
    elif key == "pulse":
        pages = (PageSpec(title="Your overall experience", questions=(NPS, CSAT, CES)),)
    else:
        single = {"nps": NPS, "csat": CSAT, "ces": CES}[key]
        pages = (PageSpec(title="Your experience", questions=(single,)),)
    return TemplateSpec(key=key, name=name, description=description, pages=pages)


def fill_placeholders(text: str, *, company: str, industry: str = DEFAULT_INDUSTRY) -> str:
    """Put the client's wording into a template text (plain replacement: braces in names are safe)."""
    industry = industry.strip() or DEFAULT_INDUSTRY
    return text.replace("{company}", company.strip()).replace("{industry}", industry)


def staff_wording(question_text: str) -> str:
    """Mirror wording for a question that has none of its own: ask staff how customers would answer."""
    return f"How do you think our customers would answer: “{question_text}”"
