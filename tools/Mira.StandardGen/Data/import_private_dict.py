#!/usr/bin/env python3
"""One-off converter: pydicom 2.3.1 _private_dict.py (data only) -> private-dictionary.tsv.

Reads the dictionary literal with ast.literal_eval (pydicom itself is not imported) and writes its facts as
tab-separated rows. Usage:
    python3 import_private_dict.py /usr/lib/python3/dist-packages/pydicom/_private_dict.py > private-dictionary.tsv
"""
import ast
import sys

HEADER = """\
# Private data dictionary: creator -> private data elements, used to give implicit VR private elements a VR.
# Provenance: the facts of pydicom 2.3.1 pydicom/_private_dict.py (MIT licence, (c) pydicom contributors),
# which is generated from the private dictionary of GDCM (BSD licence, (c) Mathieu Malaterre and contributors).
# Converted once by import_private_dict.py; no code is taken from either project.
# Columns (tab-separated): creator, group, element, VR, VM, name (may be absent when empty). Lines starting with # are ignored.
#   group:   4 hex digits; "xx" for wildcard digits (e.g. 60xx: any group 6000-60FF), matched under a mask.
#   element: the low byte of the element (2 hex digits): (gggg,xxee) in any block the creator reserved.
#   VR:      the first VR where the source gives several (OB_OW -> OB); UN where unknown.
# Skipped: source rows whose element is written "10xx" (the private creator element itself, always LO)
# and rows duplicating an earlier (creator, group, element).
"""

VRS = set("AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV".split())


def first_vr(text):
    for sep in (" or ", "_", "/"):
        text = text.split(sep)[0]
    text = text.strip()
    return text if text in VRS else "UN"


def main(path):
    tree = ast.parse(open(path, encoding="utf-8").read())
    value = next(n.value for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign)))
    table = ast.literal_eval(value)
    out = [HEADER]
    seen = set()
    for creator in sorted(table):
        for key in sorted(table[creator]):
            vr, vm, name, _retired = table[creator][key]
            group, elem = key[:4].lower(), key[4:].lower()
            if elem[2:] == "xx" or "\t" in creator + name + vm:
                continue
            row_key = (creator, group, elem[2:])
            if row_key in seen:
                continue
            seen.add(row_key)
            row = "\t".join([creator, group.upper().replace("X", "x"), elem[2:].upper(), first_vr(vr), vm, name])
            out.append(row.rstrip("\t") + "\n")
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
