"""The emotion curve SVG: accessible, escaped, and silent when there is nothing to draw."""

from diagnostics.emotion_chart import EmotionPoint, emotion_curve_svg


def test_chart_is_an_accessible_image_with_a_title_and_legend():
    svg = emotion_curve_svg(
        points=[EmotionPoint("Ad", "Discover", -1, 1, 0), EmotionPoint("Checkout", "Buy", -2, 2, 1)], title="Curve"
    )
    assert 'role="img"' in svg and '<title id="emotion-curve-title">Curve</title>' in svg
    assert "As-is (actual)" in svg and "To-be (actual)" in svg and "Expected (as-is)" in svg
    assert 'stroke-dasharray="10 5"' in svg  # to-be is dashed, distinguishable without colour


def test_user_text_is_escaped():
    svg = emotion_curve_svg(points=[EmotionPoint("<script>x</script>", "<b>Buy</b>", 1, 1, 1)], title="<i>t</i>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<b>" not in svg and "<i>" not in svg


def test_a_missing_emotion_breaks_the_line_instead_of_inventing_a_value():
    svg = emotion_curve_svg(
        points=[
            EmotionPoint("A", "S", 1, None, None),
            EmotionPoint("B", "S", None, None, None),
            EmotionPoint("C", "S", 1, None, None),
        ],
        title="t",
    )
    as_is = svg.split('emotion-line--as-is">')[1].split("</g>")[0]
    assert as_is.count("<polyline") == 2


def test_no_emotions_means_no_chart():
    assert emotion_curve_svg(points=[EmotionPoint("A", "S", None, None, None)], title="t") == ""
