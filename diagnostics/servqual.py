"""SERVQUAL's five quality dimensions (Parasuraman, Zeithaml & Berry, 1988), preloaded for every client."""

SERVQUAL_DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    ("tangibles", "Tangibles", "Physical facilities, equipment, materials and the appearance of staff."),
    ("reliability", "Reliability", "Ability to perform the promised service dependably and accurately."),
    ("responsiveness", "Responsiveness", "Willingness to help customers and provide prompt service."),
    ("assurance", "Assurance", "Knowledge and courtesy of staff and their ability to inspire trust and confidence."),
    ("empathy", "Empathy", "Caring, individualised attention given to each customer."),
)
