"""The shared form field template (_field.html): labels, legends and help text that assistive
technology can find."""

import re

from django import forms
from django.template.loader import render_to_string


class ExampleForm(forms.Form):
    name = forms.CharField(help_text="What people call it.")
    colour = forms.ChoiceField(choices=[("red", "Red"), ("blue", "Blue")], widget=forms.RadioSelect)
    days = forms.MultipleChoiceField(
        choices=[("1", "Mon"), ("2", "Tue")], widget=forms.CheckboxSelectMultiple, required=False, help_text="Any."
    )
    agreed = forms.BooleanField(required=False, label="I agree")


def field_html(name: str) -> str:
    return render_to_string("_field.html", {"field": ExampleForm()[name]})


def test_help_text_has_the_id_the_input_points_to():
    html = field_html("name")
    described_by = re.search(r'aria-describedby="([^"]+)"', html)
    assert described_by is not None
    assert f'id="{described_by.group(1)}"' in html
    assert "What people call it." in html


def test_radio_buttons_are_a_group_named_by_a_legend():
    html = field_html("colour")
    assert re.search(r"<fieldset[^>]*>\s*<legend>Colour", html)
    assert '<label for="id_colour_0">' in html
    assert '<label for="">' not in html and 'for="id_colour"' not in html


def test_a_checkbox_list_is_a_group_too_but_a_single_checkbox_keeps_its_label():
    days = field_html("days")
    assert re.search(r"<fieldset[^>]*>\s*<legend>Days", days)
    assert 'id="id_days_helptext"' in days
    agreed = field_html("agreed")
    assert "<fieldset" not in agreed
    assert '<label for="id_agreed">I agree</label>' in agreed
