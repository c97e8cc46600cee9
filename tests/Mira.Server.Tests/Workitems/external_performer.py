#!/usr/bin/python3
"""An external task performer (IHE AIW-I): takes one work item from Mira's UPS-RS worklist and does it.

Usage: external_performer.py DICOMWEB_ROOT BEARER_TOKEN WORKLIST_LABEL

Searches the SCHEDULED work items of the worklist, claims the first (PUT .../state IN PROGRESS with its own
Transaction UID), retrieves the input instances over WADO-RS (the Input Information Sequence's Retrieve URL),
makes a result (a copy of the first input with new series and instance UIDs, made with pydicom), stores it over
STOW-RS into the input study, reports progress, writes the Performed Procedure Sequence with the output
references, and completes the work item (PUT .../state COMPLETED). HTTP with urllib and json only.
Prints one JSON line: the work item, the Transaction UID and the stored result's UIDs.
"""
import copy
import io
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timezone

import pydicom
from pydicom.uid import generate_uid

ROOT, TOKEN, WORKLIST = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
DICOM_JSON = "application/dicom+json"


def call(method, url, body=None, content_type=None, accept=None):
    headers = {"Authorization": "Bearer " + TOKEN}
    if content_type:
        headers["Content-Type"] = content_type
    if accept:
        headers["Accept"] = accept
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {url}: HTTP {e.code}: {e.read().decode('utf-8', 'replace')}")


def value(item, tag):
    return item[tag]["Value"][0]


def now():
    return datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")


def multipart_parts(content_type, body):
    boundary = [p.split("=", 1)[1].strip('"') for p in content_type.split(";") if p.strip().startswith("boundary=")][0]
    parts = []
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        _, _, payload = chunk.partition(b"\r\n\r\n")
        parts.append(payload[:-2] if payload.endswith(b"\r\n") else payload)
    return parts


# 1. Search the worklist for SCHEDULED work items.
query = urllib.parse.urlencode({"ProcedureStepState": "SCHEDULED", "WorklistLabel": WORKLIST})
status, _, body = call("GET", f"{ROOT}/workitems?{query}", accept=DICOM_JSON)
if status != 200:
    sys.exit(f"no SCHEDULED work item on worklist {WORKLIST} (HTTP {status})")
item = json.loads(body)[0]
uid = value(item, "00080018")

# 2. Claim it with our own Transaction UID.
txn = "2.25." + str(uuid.uuid4().int)
state = lambda s: json.dumps({"00741000": {"vr": "CS", "Value": [s]}, "00081195": {"vr": "UI", "Value": [txn]}}).encode()
call("PUT", f"{ROOT}/workitems/{uid}/state", state("IN PROGRESS"), DICOM_JSON)
started = now()

# 3. Retrieve the inputs over WADO-RS.
inputs = []
for entry in item["00404021"]["Value"]:
    status, headers, body = call("GET", value(entry, "00081190"), accept='multipart/related; type="application/dicom"')
    inputs += [pydicom.dcmread(io.BytesIO(p)) for p in multipart_parts(headers["Content-Type"], body)]
if not inputs:
    sys.exit("the inputs were empty")

# 4. The "inference": a copy of the first input with new UIDs, marked as derived.
result = copy.deepcopy(inputs[0])
result.SeriesInstanceUID = generate_uid()
result.SOPInstanceUID = generate_uid()
result.file_meta.MediaStorageSOPInstanceUID = result.SOPInstanceUID
result.SeriesDescription = "AI result of " + uid
result.DerivationDescription = "external performer test"
out = io.BytesIO()
pydicom.dcmwrite(out, result, write_like_original=False)
study = result.StudyInstanceUID

call("POST", f"{ROOT}/workitems/{uid}?transaction={txn}", json.dumps({"00741002": {"vr": "SQ", "Value": [
    {"00741004": {"vr": "DS", "Value": [50]}, "00741006": {"vr": "ST", "Value": ["result computed, storing"]}}]}}).encode(), DICOM_JSON)

# 5. Store it over STOW-RS into the input study.
boundary = "performer-" + uuid.uuid4().hex
stow = b"--" + boundary.encode() + b"\r\nContent-Type: application/dicom\r\n\r\n" + out.getvalue() + b"\r\n--" + boundary.encode() + b"--\r\n"
status, _, body = call("POST", f"{ROOT}/studies/{study}", stow, f'multipart/related; type="application/dicom"; boundary={boundary}', DICOM_JSON)
stored = json.loads(body)
referenced = stored["00081199"]["Value"][0]
retrieve_url = value(referenced, "00081190")

# 6. Final-state attributes (PS3.4 Table CC.2.5-3), then COMPLETED.
performed = {"00741216": {"vr": "SQ", "Value": [{
    "00404050": {"vr": "DT", "Value": [started]},
    "00404051": {"vr": "DT", "Value": [now()]},
    "00404019": {"vr": "SQ", "Value": item["00404018"]["Value"]},
    "00404033": {"vr": "SQ", "Value": [{
        "0040E020": {"vr": "CS", "Value": ["DICOM"]},
        "0020000D": {"vr": "UI", "Value": [study]},
        "0020000E": {"vr": "UI", "Value": [result.SeriesInstanceUID]},
        "00081199": {"vr": "SQ", "Value": [{"00081150": {"vr": "UI", "Value": [result.SOPClassUID]},
                                            "00081155": {"vr": "UI", "Value": [result.SOPInstanceUID]}}]},
        "00081190": {"vr": "UR", "Value": [retrieve_url]},
    }]},
}]}}
call("POST", f"{ROOT}/workitems/{uid}?transaction={txn}", json.dumps(performed).encode(), DICOM_JSON)
call("PUT", f"{ROOT}/workitems/{uid}/state", state("COMPLETED"), DICOM_JSON)
print(json.dumps({"workitem": uid, "transaction": txn, "study": study, "series": result.SeriesInstanceUID,
                  "instance": result.SOPInstanceUID, "inputs": len(inputs)}))
