using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Mira.Platform.Audit;
using Mira.Server.Tests.Web;
using Mira.Testing;

namespace Mira.Server.Tests;

/// <summary>
/// Issue 16, <c>POST /api/intake/files</c> against a real <c>mira serve</c>: a NIfTI volume sent as
/// <c>application/octet-stream</c> with the patient in the query becomes DICOM objects of that patient (found by QIDO),
/// placeholders are generated and said when no attributes come, DICOM and unknown files are refused with 415, bad
/// keywords with 400, unconvertible NIfTI with 422 naming the datatype and the uploaded file, an annotator with 403
/// (nothing stored), every upload is audited as <c>intake.convert</c>, and the same file twice is stored once.
/// </summary>
public sealed class ConversionUploadTests(WorkspaceServer mira) : IClassFixture<WorkspaceServer>
{
    const string Nifti = "nifti/nibabel/standard.nii.gz";

    HttpClient Admin => mira.Server.Http;

    static string NewPatient() => "CU-" + Guid.NewGuid().ToString("N")[..12];

    static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string corpusPath, string query) =>
        await UploadBytesAsync(client, await File.ReadAllBytesAsync(Corpus.Get(corpusPath).FullPath), query);

    static async Task<HttpResponseMessage> UploadBytesAsync(HttpClient client, byte[] bytes, string query)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await client.PostAsync("/api/intake/files" + query, content);
    }

    static async Task<JsonElement> JsonOf(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    async Task<List<string>> StudiesOfPatientAsync(string patientId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dicomweb/studies?PatientID=" + Uri.EscapeDataString(patientId));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+json"));
        using var response = await Admin.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.NoContent) return [];
        var json = await JsonOf(response, HttpStatusCode.OK);
        return [.. json.EnumerateArray().Select(s => s.GetProperty("0020000D").GetProperty("Value")[0].GetString()!)];
    }

    HttpClient ClientFor(string user)
    {
        var client = new HttpClient { BaseAddress = mira.BaseUrl, Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.ASCII.GetBytes($"{user}:{WorkspaceServer.Password}")));
        return client;
    }

    [Fact]
    public async Task A_nifti_volume_with_the_patient_in_the_query_becomes_seven_objects_of_that_patient_found_by_qido_and_audited()
    {
        var patient = NewPatient();
        using var response = await UploadAsync(Admin, Nifti, $"?name=standard.nii.gz&PatientID={patient}&PatientName=Li%5EWei");
        var json = await JsonOf(response, HttpStatusCode.OK);
        Assert.Equal("standard.nii.gz", json.GetProperty("file").GetString());
        Assert.False(json.GetProperty("placeholderIdentifiers").GetBoolean());
        Assert.Equal(patient, json.GetProperty("patientId").GetString());
        var objects = json.GetProperty("objects").EnumerateArray().ToList();
        Assert.Equal(7, objects.Count);
        Assert.Equal(7, json.GetProperty("stored").GetInt32());
        Assert.All(objects, o => Assert.Equal("Stored", o.GetProperty("outcome").GetString()));
        var study = Assert.Single(objects.Select(o => o.GetProperty("studyInstanceUid").GetString()).Distinct())!;

        Assert.Equal([study], await StudiesOfPatientAsync(patient));
        // The stored objects name the file as it was sent, never the server's staging file.
        using (var series = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{study}/series/{objects[0].GetProperty("seriesInstanceUid").GetString()}/metadata"))
        {
            using var metadata = await Admin.SendAsync(series);
            var text = await metadata.Content.ReadAsStringAsync();
            Assert.Contains("standard.nii.gz", text);
            Assert.DoesNotContain(".tmp-", text);
        }
        var audit = (await WorkspaceAudit.ReadAsync(mira)).Where(r => r.Action == AuditActions.ConvertStore && r.Actor == "admin").ToList();
        Assert.Contains(audit, r => r.Resource == study && r.Outcome == "success");
    }

    [Fact]
    public async Task Without_attributes_placeholder_identifiers_are_generated_and_said()
    {
        using var response = await UploadAsync(Admin, "nifti/nibabel/anatomical.nii", "?name=anatomical.nii");
        var json = await JsonOf(response, HttpStatusCode.OK);
        Assert.True(json.GetProperty("placeholderIdentifiers").GetBoolean());
        Assert.StartsWith("MIRA-PLACEHOLDER-", json.GetProperty("patientId").GetString());
        Assert.True(json.GetProperty("objects").GetArrayLength() >= 1);
    }

    [Fact]
    public async Task A_dicom_file_or_a_text_file_is_refused_with_415_and_the_reason()
    {
        var dicom = Dicomweb.Make(Dicomweb.Uid(), Dicomweb.Uid(), Dicomweb.Uid());
        foreach (var (bytes, name) in new[] { (dicom, "ct.dcm"), (Encoding.UTF8.GetBytes("not an image, just words\n"), "notes.txt") })
        {
            using var response = await UploadBytesAsync(Admin, bytes, $"?name={name}&PatientID={NewPatient()}");
            var json = await JsonOf(response, HttpStatusCode.UnsupportedMediaType);
            var detail = json.GetProperty("detail").GetString()!;
            Assert.StartsWith($"{name} is not a NIfTI volume, a photograph (JPEG, PNG, TIFF) or a whole-slide image", detail);
            Assert.Contains("DICOM objects go to STOW-RS", detail);
        }
    }

    [Fact]
    public async Task An_annotator_is_refused_with_403_nothing_is_stored_and_the_refusal_is_audited()
    {
        var patient = NewPatient();
        using var annotator = ClientFor("annotator");
        using var response = await UploadAsync(annotator, Nifti, $"?PatientID={patient}");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain(patient, await response.Content.ReadAsStringAsync());
        Assert.Empty(await StudiesOfPatientAsync(patient));
        Assert.Contains(await WorkspaceAudit.ReadAsync(mira), r => r.Action == AuditActions.ConvertStore && r.Actor == "annotator" && r.Outcome == "denied");
    }

    [Fact]
    public async Task A_steward_may_upload()
    {
        var patient = NewPatient();
        using var steward = ClientFor("steward");
        using var response = await UploadAsync(steward, "photos/fundus/Fundus_photograph_of_normal_right_eye_600px.jpg",
            $"?PatientID={patient}&Laterality=R&AcquisitionDateTime=20261201093000");
        var json = await JsonOf(response, HttpStatusCode.OK);
        Assert.Equal(1, json.GetProperty("stored").GetInt32());
        Assert.Equal("1.2.840.10008.5.1.4.1.1.77.1.5.1", json.GetProperty("objects")[0].GetProperty("sopClassUid").GetString());
    }

    [Fact]
    public async Task An_unknown_keyword_in_the_query_is_refused_with_400_naming_it_and_nothing_is_stored()
    {
        var patient = NewPatient();
        using var response = await UploadAsync(Admin, Nifti, $"?PatientID={patient}&PatientNmae=Li%5EWei");
        var json = await JsonOf(response, HttpStatusCode.BadRequest);
        Assert.Contains("PatientNmae", json.GetProperty("detail").GetString());
        Assert.Empty(await StudiesOfPatientAsync(patient));
    }

    [Fact]
    public async Task A_colour_nifti_is_refused_with_422_naming_the_uploaded_file_and_its_datatype()
    {
        using var response = await UploadAsync(Admin, "nifti/cit168/CIT168.nii.gz", $"?name=CIT168.nii.gz&PatientID={NewPatient()}");
        var json = await JsonOf(response, HttpStatusCode.UnprocessableEntity);
        var detail = json.GetProperty("detail").GetString()!;
        Assert.StartsWith("CIT168.nii.gz: datatype 2304 (RGBA32)", detail);
    }

    // The converters take the file's time into dates of the header, and an upload's time is the upload's: the second
    // upload makes other bytes under the same UIDs, which are the same object (same file, same attributes).
    [Fact]
    public async Task The_same_file_with_the_same_attributes_twice_is_stored_once_and_the_second_answer_says_already_stored()
    {
        var query = $"?name=standard.nii.gz&PatientID={NewPatient()}&PatientName=Twice%5EUploaded";
        using (var first = await UploadAsync(Admin, Nifti, query))
            Assert.Equal(7, (await JsonOf(first, HttpStatusCode.OK)).GetProperty("stored").GetInt32());
        using var second = await UploadAsync(Admin, Nifti, query);
        var json = await JsonOf(second, HttpStatusCode.OK);
        Assert.Equal(0, json.GetProperty("stored").GetInt32());
        Assert.Equal(7, json.GetProperty("alreadyStored").GetInt32());
        Assert.Equal(0, json.GetProperty("refused").GetInt32());
        Assert.All(json.GetProperty("objects").EnumerateArray(), o => Assert.Equal("AlreadyStored", o.GetProperty("outcome").GetString()));
    }
}
