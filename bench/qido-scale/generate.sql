-- Synthetic archive index for the QIDO-RS scale test (bench/qido-scale/run.sh) and its plan test
-- (tests/Mira.Storage.Tests/Index/QidoScalePlanTests.cs, which embeds this file). Fills Mira's index tables
-- (schema made by Mira's own migrations) directly in PostgreSQL, the way InstanceRecord.From fills them on ingest:
-- dates as yyyymmdd integers, times as microseconds since midnight, Person Names with their upper-cased alphabetic
-- group, the patient key "ID<US><issuer><US>name", blob keys shaped as FileBlobStore.KeyFor, and DICOM JSON metadata
-- (PS3.18 Annex F) with the attributes of a typical image header and Pixel Data as a BulkDataURI.
--
-- Size: SET qido.patients = 'P' first. Each patient has 2 studies, each study 4 series, each series 25 instances:
-- 200 instances per patient (P = 50000 gives 10 million). Ids are assigned here (patient p, its studies 2p-1 and
-- 2p, ...), and the identity sequences are moved past them at the end, so later ingest continues normally.
-- Deterministic: the same P gives the same rows.

CREATE TEMP TABLE qido_names (k int PRIMARY KEY, surname text, given text);
INSERT INTO qido_names
SELECT k,
       (ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez','Hernandez',
              'Lopez','Gonzalez','Wilson','Anderson','Thomas','Taylor','Moore','Jackson','Martin','Lee','Perez','Thompson',
              'White','Harris','Sanchez','Clark','Ramirez','Lewis','Robinson','Walker','Young','Allen','King','Wright',
              'Scott','Torres','Nguyen','Hill','Flores','Green','Adams','Nelson','Baker','Hall','Rivera','Campbell',
              'Mitchell','Carter','Roberts','Muller','Schmidt','Schneider','Fischer','Weber','Meyer','Wagner','Becker',
              'Schulz','Hoffmann','Dubois','Durand','Lefebvre','Moreau','Laurent','Simon','Michel','Rossi','Russo',
              'Ferrari','Esposito','Bianchi','Romano','Colombo','Ricci','Marino','Greco','Bruno','Gallo','Conti',
              'Jansen','DeVries','VanDijk','Bakker','Visser','Smit','Meijer','DeBoer','Mulder','DeGroot','Kowalski',
              'Nowak','Wisniewski','Wojcik','Kaminski','Lewandowski','Zielinski','Szymanski','Andersson','Johansson'])[1 + k % 100],
       (ARRAY['James','Mary','John','Patricia','Robert','Jennifer','Michael','Linda','William','Elizabeth','David','Barbara',
              'Richard','Susan','Joseph','Jessica','Thomas','Sarah','Charles','Karen','Anna','Peter','Eva','Jan','Marie',
              'Paul','Sophie','Luca','Giulia','Lars','Ingrid','Pierre','Claire','Hans','Ursula','Piotr','Agnieszka',
              'Daan','Emma','Noah'])[1 + k / 100 % 40]
FROM generate_series(0, 3999) k;

INSERT INTO patients (id, patient_key, patient_id, patient_name, patient_name_a, patient_name_i, patient_name_p, patient_birth_date, patient_sex)
SELECT p, pid || chr(31) || chr(31) || pn, pid, pn, upper(pn), NULL, NULL,
       to_char(date '1930-01-01' + (p::bigint * 7919 % 27000)::int, 'YYYYMMDD')::int, CASE WHEN p % 2 = 0 THEN 'F' ELSE 'M' END
FROM (SELECT p, 'MRN' || lpad(p::text, 8, '0') AS pid, n.surname || '^' || n.given AS pn
      FROM generate_series(1, current_setting('qido.patients')::int) p
      JOIN qido_names n ON n.k = (p * 2654435761::bigint) % 4000) x;

-- One modality per study (series of a PET study alternate PT and CT), in proportions like a general hospital's.
CREATE TEMP TABLE qido_studies AS
SELECT s AS id, (s + 1) / 2 AS patient_fk,
       CASE WHEN s % 20 < 8 THEN 'CT' WHEN s % 20 < 13 THEN 'MR' WHEN s % 20 < 16 THEN 'CR' WHEN s % 20 < 18 THEN 'US'
            WHEN s % 20 = 18 THEN 'PT' ELSE 'MG' END AS modality,
       date '2016-01-01' + (s::bigint * 104729 % 3650)::int AS day,
       (7 * 3600 + s::bigint * 7907 % (12 * 3600))::int AS seconds
FROM generate_series(1, 2 * current_setting('qido.patients')::int) s;

INSERT INTO studies (id, patient_fk, study_uid, study_date, study_time, accession_number, referring_physician_name,
                     referring_physician_name_a, referring_physician_name_i, referring_physician_name_p, study_id, study_description)
SELECT q.id, q.patient_fk, '1.2.826.0.1.3680043.8.498.1.' || to_char(q.day, 'YYYYMMDD') || q.seconds || '.' || q.id,
       to_char(q.day, 'YYYYMMDD')::int, q.seconds * 1000000::bigint, 'A' || lpad(q.id::text, 9, '0'),
       r.surname || '^' || r.given, upper(r.surname || '^' || r.given), NULL, NULL, (q.id % 100000)::text,
       CASE q.modality WHEN 'CT' THEN 'CT CHEST ABDOMEN PELVIS WITH CONTRAST' WHEN 'MR' THEN 'MR BRAIN WITHOUT AND WITH CONTRAST'
            WHEN 'CR' THEN 'XR CHEST 2 VIEWS' WHEN 'US' THEN 'US ABDOMEN COMPLETE' WHEN 'PT' THEN 'PET CT WHOLE BODY'
            ELSE 'MAMMO SCREENING BILATERAL' END
FROM qido_studies q JOIN qido_names r ON r.k = (q.id * 40503::bigint) % 200;

CREATE TEMP TABLE qido_series AS
SELECT (q.id - 1) * 4 + k AS id, q.id AS study_fk, k AS series_number,
       CASE WHEN q.modality = 'PT' AND k % 2 = 0 THEN 'CT' ELSE q.modality END AS modality,
       q.day, q.seconds + 60 * k AS seconds
FROM qido_studies q CROSS JOIN generate_series(1, 4) k;

INSERT INTO series (id, study_fk, series_uid, modality, series_number, series_description, pps_start_date, pps_start_time,
                    scheduled_procedure_step_id, requested_procedure_id)
SELECT s.id, s.study_fk, '1.2.826.0.1.3680043.8.498.2.' || to_char(s.day, 'YYYYMMDD') || s.seconds || '.' || s.id,
       s.modality, s.series_number, s.modality || ' SERIES ' || s.series_number,
       to_char(s.day, 'YYYYMMDD')::int, s.seconds * 1000000::bigint, NULL, NULL
FROM qido_series s;

-- The metadata of a series' instances, cut where the instance's own values go.
CREATE TEMP TABLE qido_series_json AS
SELECT se.id, se.series_uid, se.modality, st.study_date,
       CASE se.modality WHEN 'CT' THEN '1.2.840.10008.5.1.4.1.1.2' WHEN 'MR' THEN '1.2.840.10008.5.1.4.1.1.4'
            WHEN 'CR' THEN '1.2.840.10008.5.1.4.1.1.1' WHEN 'US' THEN '1.2.840.10008.5.1.4.1.1.6.1'
            WHEN 'PT' THEN '1.2.840.10008.5.1.4.1.1.128' ELSE '1.2.840.10008.5.1.4.1.1.1.2' END AS sop_class,
       CASE se.modality WHEN 'CT' THEN 525312 WHEN 'MR' THEN 132096 WHEN 'CR' THEN 8390656 WHEN 'US' THEN 922368
            WHEN 'PT' THEN 33792 ELSE 18876416 END AS blob_size,
       '{"00080005":{"vr":"CS","Value":["ISO_IR 100"]},"00080008":{"vr":"CS","Value":["ORIGINAL","PRIMARY","AXIAL"]},'
       || '"00080012":{"vr":"DA","Value":["' || st.study_date || '"]},"00080013":{"vr":"TM","Value":["' || to_char(st.study_time / 1000000 * interval '1 second', 'HH24MISS') || '"]},'
       || '"00080016":{"vr":"UI","Value":["' AS part_a,
       '"]},"00080020":{"vr":"DA","Value":["' || st.study_date || '"]},"00080021":{"vr":"DA","Value":["' || se.pps_start_date || '"]},'
       || '"00080023":{"vr":"DA","Value":["' || se.pps_start_date || '"]},"00080030":{"vr":"TM","Value":["' || to_char(st.study_time / 1000000 * interval '1 second', 'HH24MISS') || '"]},'
       || '"00080031":{"vr":"TM","Value":["' || to_char(se.pps_start_time / 1000000 * interval '1 second', 'HH24MISS') || '"]},'
       || '"00080050":{"vr":"SH","Value":["' || st.accession_number || '"]},"00080060":{"vr":"CS","Value":["' || se.modality || '"]},'
       || '"00080070":{"vr":"LO","Value":["ACME Medical Systems"]},"00080080":{"vr":"LO","Value":["General Hospital"]},'
       || '"00080090":{"vr":"PN","Value":[{"Alphabetic":"' || st.referring_physician_name || '"}]},'
       || '"00081030":{"vr":"LO","Value":["' || st.study_description || '"]},"0008103E":{"vr":"LO","Value":["' || se.series_description || '"]},'
       || '"00081090":{"vr":"LO","Value":["Imager 3000"]},"00100010":{"vr":"PN","Value":[{"Alphabetic":"' || p.patient_name || '"}]},'
       || '"00100020":{"vr":"LO","Value":["' || p.patient_id || '"]},"00100030":{"vr":"DA","Value":["' || p.patient_birth_date || '"]},'
       || '"00100040":{"vr":"CS","Value":["' || p.patient_sex || '"]},"00180050":{"vr":"DS","Value":[1.25]},"00180060":{"vr":"DS","Value":[120]},'
       || '"0020000D":{"vr":"UI","Value":["' || st.study_uid || '"]},"0020000E":{"vr":"UI","Value":["' || se.series_uid || '"]},'
       || '"00200010":{"vr":"SH","Value":["' || st.study_id || '"]},"00200011":{"vr":"IS","Value":[' || se.series_number || ']},'
       || '"00200013":{"vr":"IS","Value":[' AS part_b,
       ']},"00200037":{"vr":"DS","Value":[1,0,0,0,1,0]},"00200052":{"vr":"UI","Value":["' || replace(st.study_uid, '.8.498.1.', '.8.498.4.') || '"]},'
       || '"00201041":{"vr":"DS","Value":[' AS part_c,
       ']},"00280002":{"vr":"US","Value":[1]},"00280004":{"vr":"CS","Value":["MONOCHROME2"]},"00280010":{"vr":"US","Value":[512]},'
       || '"00280011":{"vr":"US","Value":[512]},"00280030":{"vr":"DS","Value":[0.782,0.782]},"00280100":{"vr":"US","Value":[16]},'
       || '"00280101":{"vr":"US","Value":[12]},"00280102":{"vr":"US","Value":[11]},"00280103":{"vr":"US","Value":[0]},'
       || '"00281050":{"vr":"DS","Value":[40]},"00281051":{"vr":"DS","Value":[400]},"00281052":{"vr":"DS","Value":[-1024]},'
       || '"00281053":{"vr":"DS","Value":[1]},"7FE00010":{"vr":"OW","BulkDataURI":"bulk/7FE00010"}}' AS part_d
FROM series se JOIN studies st ON se.study_fk = st.id JOIN patients p ON st.patient_fk = p.id;

INSERT INTO instances (id, series_fk, sop_instance_uid, sop_class_uid, instance_number, transfer_syntax_uid, blob_key, blob_size,
                       sha256, received_utc, source, metadata)
SELECT (j.id - 1) * 25 + n, j.id, uid, j.sop_class, n, '1.2.840.10008.1.2.1',
       substr(h, 1, 2) || '/' || substr(h, 3, 2) || '/' || h || '.' || substr(content, 1, 16) || '.dcm', j.blob_size + n * 2,
       content, to_char(to_date(j.study_date::text, 'YYYYMMDD') + interval '2 hours' + n * interval '150 milliseconds', 'YYYY-MM-DD"T"HH24:MI:SS.US"0+00:00"'),
       'stow-rs 10.0.0.5 modality', j.part_a || j.sop_class || '"]},"00080018":{"vr":"UI","Value":["' || uid || j.part_b || n
       || ']},"00200032":{"vr":"DS","Value":[-200,-200,' || (-1.25 * n) || j.part_c || (-1.25 * n) || j.part_d
FROM qido_series_json j CROSS JOIN generate_series(1, 25) n
CROSS JOIN LATERAL (SELECT replace(j.series_uid, '.8.498.2.', '.8.498.3.') || '.' || n AS uid) u
CROSS JOIN LATERAL (SELECT encode(sha256(convert_to(u.uid, 'UTF8')), 'hex') AS h,
                           encode(sha256(convert_to(u.uid || '#content', 'UTF8')), 'hex') AS content) k;

SELECT setval(pg_get_serial_sequence('patients', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM patients), false);
SELECT setval(pg_get_serial_sequence('studies', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM studies), false);
SELECT setval(pg_get_serial_sequence('series', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM series), false);
SELECT setval(pg_get_serial_sequence('instances', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM instances), false);
DROP TABLE qido_names, qido_studies, qido_series, qido_series_json;
