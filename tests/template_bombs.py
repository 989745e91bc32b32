"""Template memory bombs (issue 18.4): each would allocate hundreds of MB to GBs unmetered."""

from __future__ import annotations

_BIG = "{% set s = 'x' * 99999 %}"
_LOOP = "{% for i in range(10000) %}"

BOMBS = {
    "format widths": "{{ ('{0:99999}' * 11000).format(1) }}",
    "format_map widths": "{{ ('{a:99999}' * 11000).format_map({'a': 1}) }}",
    "percent widths": "{{ '%99999d' * 11000 % ((1,) * 11000) }}",
    "percent then repeat": "{{ ('%0999999d' % 1) * 1000 }}",
    "percent by name": "{{ '%(a)0999999d' % {'a': 1} }}",
    "format filter": "{{ ('%99999d' * 11000)|format(*((1,) * 11000)) }}",
    "list append loop": _LOOP + "{% if l.append('x' * 99999) %}{% endif %}{% endfor %}",
    "list extend doubling": "{% set l = [1] %}{% for i in range(40) %}{% if l.extend(l) %}{% endif %}"
                            "{% endfor %}",
    "dict update loop": "{% set d = {} %}" + _LOOP + "{% if d.update({i: 'x' * 99999}) %}{% endif %}"
                        "{% endfor %}",
    "printed list": _BIG + "{{ [s] * 99999 }}",
    "joined list": _BIG + "{{ ([s] * 99999) ~ '' }}",
    "string filter": _BIG + "{{ ([s] * 99999)|string }}",
    "block set": _BIG + "{% set x %}" + _LOOP + "{{ s[i:] }}{% endfor %}{% endset %}{{ x|length }}",
    "macro output": _BIG + "{% macro m() %}" + _LOOP + "{{ s }}{% endfor %}{% endmacro %}{{ m()|length }}",
    "batch fill": "{{ [1]|batch(100000000, 'x')|list|length }}",
    "slices": "{{ [1]|slice(10000000)|list|length }}",
    "sum of lists": "{% set l = [[1] * 99999] * 99999 %}{{ l|sum(start=[])|length }}",
    "translate": "{{ ('a' * 99999).translate(''.maketrans({'a': 'b' * 99999}))|length }}",
    "to_bytes": "{{ (1).to_bytes(1000000000, 'big')|length }}",
    "bytes center": "{{ 'x'.encode().center(1000000000)|length }}",
    "wordwrap": "{{ ('a ' * 50000)|wordwrap(1, wrapstring='x' * 99999)|length }}",
    "indent": "{{ ('\n' * 99999)|indent('x' * 99999, true, true)|length }}",
    "format conversion": _BIG + "{{ '{!r}'.format([s] * 99999) }}",
    "padding loop": _LOOP + "{% if l.append('x'|center(99999)) %}{% endif %}{% endfor %}",
}
# A list to append to, where a bomb needs one.
BOMBS = {name: ("{% set l = [] %}" + source if "l.append" in source else source)
         for name, source in BOMBS.items()}
