PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE instances (
  id INTEGER PRIMARY KEY, series_fk BIGINT NOT NULL REFERENCES series(id), sop_instance_uid TEXT NOT NULL UNIQUE,
  sop_class_uid TEXT NOT NULL, instance_number INTEGER, transfer_syntax_uid TEXT,
  blob_key TEXT NOT NULL, blob_size BIGINT NOT NULL, sha256 TEXT NOT NULL, received_utc TEXT NOT NULL, source TEXT,
  metadata TEXT NOT NULL);
INSERT INTO "instances" VALUES(1,1,'2.25.36455996430054601587985914868783113454','1.2.840.10008.5.1.4.1.1.2',18,'1.2.840.10008.1.2.1','6b/c0/6bc005f5b66ee54ce4e30b962cc49485ca6e691e8d55613c801343a78575d963.4cba5df25583531b.dcm',2358,'4cba5df25583531b17ca454be779b24850d86619c8d6636c224ae3527d52dac0','2026-12-06T13:04:26.0735178+00:00','project-copy study-a admin','{"00080005":{"vr":"CS","Value":["ISO_IR 100"]},"00080008":{"vr":"CS","Value":["ORIGINAL","PRIMARY","AXIAL"]},"00080012":{"vr":"DA","Value":["19000101"]},"00080013":{"vr":"TM","Value":["000000"]},"00080014":{"vr":"UI","Value":["2.25.332327227977147503289324728888949703805"]},"00080016":{"vr":"UI","Value":["1.2.840.10008.5.1.4.1.1.2"]},"00080018":{"vr":"UI","Value":["2.25.36455996430054601587985914868783113454"]},"00080020":{"vr":"DA"},"00080021":{"vr":"DA","Value":["19000101"]},"00080022":{"vr":"DA"},"00080023":{"vr":"DA","Value":["19000101"]},"00080030":{"vr":"TM"},"00080031":{"vr":"TM","Value":["000000"]},"00080032":{"vr":"TM"},"00080033":{"vr":"TM","Value":["000000"]},"00080050":{"vr":"SH"},"00080060":{"vr":"CS","Value":["CT"]},"00080061":{"vr":"CS","Value":["CT"]},"00080070":{"vr":"LO","Value":["GE MEDICAL SYSTEMS"]},"00080090":{"vr":"PN"},"00081090":{"vr":"LO","Value":["LightSpeed Plus"]},"00100010":{"vr":"PN","Value":[{"Alphabetic":"ANON^P970605744262172"}]},"00100020":{"vr":"LO","Value":["P970605744262172"]},"00100030":{"vr":"DA"},"00100040":{"vr":"CS"},"00120062":{"vr":"CS","Value":["YES"]},"00120063":{"vr":"LO","Value":["Mira basic v1 (PS3.15 Annex E)"]},"00120064":{"vr":"SQ","Value":[{"00080100":{"vr":"SH","Value":["113100"]},"00080102":{"vr":"SH","Value":["DCM"]},"00080104":{"vr":"LO","Value":["Basic Application Confidentiality Profile"]}}]},"00180015":{"vr":"CS","Value":["HEAD"]},"00180022":{"vr":"CS","Value":["AXIAL MODE"]},"00180050":{"vr":"DS","Value":[1.25]},"00180060":{"vr":"DS","Value":[140]},"00180090":{"vr":"DS","Value":[250]},"00181020":{"vr":"LO","Value":["LightSpeedApps14.13_2.8.2L_H2.1M4"]},"00181030":{"vr":"LO","Value":["ANONYMIZED"]},"00181100":{"vr":"DS","Value":[250]},"00181110":{"vr":"DS","Value":[949.075012]},"00181111":{"vr":"DS","Value":[541]},"00181120":{"vr":"DS","Value":[0]},"00181130":{"vr":"DS","Value":[181.199997]},"00181140":{"vr":"CS","Value":["CW"]},"00181150":{"vr":"IS","Value":[2000]},"00181151":{"vr":"IS","Value":[210]},"00181152":{"vr":"IS","Value":[420]},"00181170":{"vr":"IS","Value":[29400]},"00181190":{"vr":"DS","Value":[1.2]},"00181210":{"vr":"SH","Value":["STANDARD"]},"00185100":{"vr":"CS","Value":["HFS"]},"0020000D":{"vr":"UI","Value":["2.25.302396448304739704241883595461682685688"]},"0020000E":{"vr":"UI","Value":["2.25.292115319880838436902481510608402456746"]},"00200010":{"vr":"SH"},"00200011":{"vr":"IS","Value":[2]},"00200012":{"vr":"IS","Value":[4]},"00200013":{"vr":"IS","Value":[18]},"00200032":{"vr":"DS","Value":[-125,-128.100006,-99.480003]},"00200037":{"vr":"DS","Value":[1,0,0,0,1,0]},"00200052":{"vr":"UI","Value":["2.25.88445768626641292649296561851271859813"]},"00201040":{"vr":"LO","Value":["OM"]},"00201041":{"vr":"DS","Value":[-99.480003]},"00280002":{"vr":"US","Value":[1]},"00280004":{"vr":"CS","Value":["MONOCHROME2"]},"00280010":{"vr":"US","Value":[16]},"00280011":{"vr":"US","Value":[16]},"00280030":{"vr":"DS","Value":[0.488281,0.488281]},"00280100":{"vr":"US","Value":[16]},"00280101":{"vr":"US","Value":[16]},"00280102":{"vr":"US","Value":[15]},"00280103":{"vr":"US","Value":[1]},"00280120":{"vr":"SS","Value":[-2000]},"00280303":{"vr":"CS","Value":["REMOVED"]},"00281050":{"vr":"DS","Value":[30]},"00281051":{"vr":"DS","Value":[100]},"00281052":{"vr":"DS","Value":[-1024]},"00281053":{"vr":"DS","Value":[1]},"0032000A":{"vr":"CS","Value":["QCSUCCESS"]},"0032000C":{"vr":"CS"},"7FE00010":{"vr":"OW","InlineBinary":"TARNBEgEMAQcBPwDuwNdA+4CjgJhAlMCTwJlArcCNANIBEQEIwTpA6EDRAPKAkICwAFmAUYBOwE0AUwBpgE8AiYE7gOPAxYDmAIUAo4BHwHQAKEAkQCOAIsAlgDJADYBugMkA3YC1gFbAfQApwB6AGQAVwBTAFsAXQBcAGgAlQAVAykCXQHbAI8AZgBPAEUARwBGAEoAUwBZAFUAUgBaAGsCXAGwAGwAUABBADwAPQBCAEUARQBLAFEATgBMAE0A4QHhAG8AVQBGADoANwA6AEAAPwBAAEIARwBJAEcATQCQAa0AXgBTAEcAOgA8AD4ANwAzADEANgBDAEkARgBQAIwBsABnAFYARgA5ADcAOQA0AC4AKwAwAD4AVgBpAJoA5AH7AIcAXABAADMAMgA1ADIANAA5AEUAaQCzAA8BfQGUAp8B6ACIAD8AMgA0ADQANwBKAGwAqgATAagBQQK5AlYDfAKWAcUAVQA3ADsAQABgALAAGwGRATIC0gJOA5UD0wM3A0ECKwGPAFwAYACJAOwAjQE4AsUCQAOhA9AD4wP1A4cDmgKDAeMArwDRADgB5QGrAkMDnwPQA/MD+wP+A+MDcQOZAqoBOAE0AZcBMQLvApID1QP3AwUEEAQPBBMEvAM4A3oCzAGvAfYBiAItA8ED/gMQBBoEHgQhBBYEFwQ="}}');
CREATE TABLE patients (
  id INTEGER PRIMARY KEY, patient_key TEXT NOT NULL UNIQUE, patient_id TEXT, patient_name TEXT,
  patient_name_a TEXT, patient_name_i TEXT, patient_name_p TEXT, patient_birth_date INTEGER, patient_sex TEXT);
INSERT INTO "patients" VALUES(1,'P970605744262172ANON^P970605744262172','P970605744262172','ANON^P970605744262172','ANON^P970605744262172',NULL,NULL,NULL,NULL);
CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_utc TEXT NOT NULL);
INSERT INTO "schema_version" VALUES(1,'2026-12-06T13:04:26.0299195+00:00');
CREATE TABLE series (
  id INTEGER PRIMARY KEY, study_fk BIGINT NOT NULL REFERENCES studies(id), series_uid TEXT NOT NULL UNIQUE,
  modality TEXT, series_number INTEGER, series_description TEXT, pps_start_date INTEGER, pps_start_time BIGINT,
  scheduled_procedure_step_id TEXT, requested_procedure_id TEXT);
INSERT INTO "series" VALUES(1,1,'2.25.292115319880838436902481510608402456746','CT',2,NULL,NULL,NULL,NULL,NULL);
CREATE TABLE studies (
  id INTEGER PRIMARY KEY, patient_fk BIGINT NOT NULL REFERENCES patients(id), study_uid TEXT NOT NULL UNIQUE,
  study_date INTEGER, study_time BIGINT, accession_number TEXT, referring_physician_name TEXT,
  referring_physician_name_a TEXT, referring_physician_name_i TEXT, referring_physician_name_p TEXT,
  study_id TEXT, study_description TEXT);
INSERT INTO "studies" VALUES(1,1,'2.25.302396448304739704241883595461682685688',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
CREATE INDEX ix_studies_patient ON studies(patient_fk);
CREATE INDEX ix_studies_date ON studies(study_date);
CREATE INDEX ix_studies_accession ON studies(accession_number);
CREATE INDEX ix_patients_id ON patients(patient_id);
CREATE INDEX ix_patients_name ON patients(patient_name_a);
CREATE INDEX ix_series_study ON series(study_fk);
CREATE INDEX ix_series_modality ON series(modality);
CREATE INDEX ix_instances_series ON instances(series_fk);
CREATE INDEX ix_instances_blob ON instances(blob_key);
COMMIT;
