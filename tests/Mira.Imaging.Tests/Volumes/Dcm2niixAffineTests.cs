using System.Globalization;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Imaging.Tests.Volumes;

/// <summary>
/// DICOM → NIfTI geometry against dcm2niix's conversions in the corpus. dcm2niix flips the row order (and may
/// reverse the slices), so the voxel grids differ by axis flips: for each of the 8 flip combinations F the test
/// checks whether Mira's voxel → RAS affine A_m and dcm2niix's A_d satisfy A_d = A_m · F (F maps dcm2niix index
/// (i, j, k) to Mira's (i or n−1−i, …)); exactly one must match within 1e-4 mm, and the voxels must then agree.
/// </summary>
public sealed class Dcm2niixAffineTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("dicom/transfer-syntax/dcm_qa_ts/1_explicit_le.dcm", "nifti/dcm_qa_ts/1.nii")]
    [InlineData("dicom/transfer-syntax/dcm_qa_ts/4_rle.dcm", "nifti/dcm_qa_ts/1.nii")]
    [InlineData("dicom/modality/MR/ge_epi_fmri_00001.dcm", "nifti/dcm_qa_nih/DCM2NIIX_regression_test_4.nii")]
    public void Affine_matches_dcm2niix(string dicom, string nifti)
    {
        var built = Assert.Single(DicomVolumeBuilder.FromPath(Corpus.Get(dicom).FullPath));
        var mine = NiftiVolumes.FromVolume(built.Volume);
        var ref_ = NiftiFile.Read(Corpus.Get(nifti).FullPath);
        var am = mine.Header.SformAffine();
        var ad = ref_.Header.SformAffine();
        var qm = mine.Header.QformAffine();
        var n = new[] { built.Volume.Nx, built.Volume.Ny, built.Volume.Nz };
        var nd = ref_.Header.Dim;
        Assert.Equal(nd[1], n[0]);
        Assert.Equal(nd[2], n[1]);
        var fullStack = nd[3] == n[2];
        // Mira's volume may be one slice of dcm2niix's stack (the GE file is the first slice of a 15-slice,
        // 10-volume series): then only the in-plane columns and an integer slice offset are compared.
        string? match = null;
        var matchErr = double.MaxValue;
        int[]? flipFound = null;
        var kOffset = 0;
        for (var mask = 0; mask < 8; mask++)
        {
            var flip = new[] { mask & 1, (mask >> 1) & 1, (mask >> 2) & 1 };
            // A_m · F: column c of A_m times ±1, translation moved to the flipped voxel 0.
            var a = (double[])am.Clone();
            for (var c = 0; c < 3; c++)
                if (flip[c] == 1)
                {
                    var len = c < 2 || fullStack ? n[c] : (int)nd[3];
                    for (var r = 0; r < 3; r++) { a[r * 4 + 3] += a[r * 4 + c] * (len - 1); a[r * 4 + c] = -a[r * 4 + c]; }
                }
            double err = 0;
            var koff = 0;
            for (var r = 0; r < 3; r++)
                for (var c = 0; c < 2; c++) err = Math.Max(err, Math.Abs(a[r * 4 + c] - ad[r * 4 + c]));
            if (fullStack)
                for (var r = 0; r < 3; r++) { err = Math.Max(err, Math.Abs(a[r * 4 + 2] - ad[r * 4 + 2])); err = Math.Max(err, Math.Abs(a[r * 4 + 3] - ad[r * 4 + 3])); }
            else if (flip[2] == 0)
            {
                // Mira's origin must be dcm2niix's voxel (i, j, koff) for an integer koff.
                var d = new double[3];
                for (var r = 0; r < 3; r++) d[r] = a[r * 4 + 3] - ad[r * 4 + 3];
                var kcol = new[] { ad[2], ad[6], ad[10] };
                var kk = (d[0] * kcol[0] + d[1] * kcol[1] + d[2] * kcol[2]) / (kcol[0] * kcol[0] + kcol[1] * kcol[1] + kcol[2] * kcol[2]);
                koff = (int)Math.Round(kk);
                for (var r = 0; r < 3; r++) err = Math.Max(err, Math.Abs(d[r] - koff * kcol[r]));
            }
            else continue;
            if (err < matchErr) { matchErr = err; match = $"flips i:{flip[0]} j:{flip[1]} k:{flip[2]}"; flipFound = flip; kOffset = koff; }
        }
        output.WriteLine($"{dicom} vs {nifti}: best {match}, max |ΔA| = {matchErr:g3} mm, dcm2niix slice offset {kOffset}; Mira dims {string.Join('×', built.Volume.Size)}, dcm2niix {string.Join('×', ref_.Header.Shape)}");
        Assert.True(matchErr <= 1e-4, $"no flip combination matches dcm2niix's affine within 1e-4 (best {match}: {matchErr:g3})");
        // qform agrees with sform for Mira (rigid geometry).
        Assert.True(am.Zip(qm, (x, y) => Math.Abs(x - y)).Max() < 1e-4);
        // Voxels agree under the flip (dcm2niix's slice kOffset, first volume).
        var f = flipFound!;
        long mismatches = 0;
        var nzd = (int)nd[3];
        for (var k = 0; k < n[2]; k++)
            for (var j = 0; j < n[1]; j++)
                for (var i = 0; i < n[0]; i++)
                {
                    var di = f[0] == 1 ? n[0] - 1 - i : i;
                    var dj = f[1] == 1 ? n[1] - 1 - j : j;
                    var dk = fullStack ? (f[2] == 1 ? n[2] - 1 - k : k) : kOffset + k;
                    var theirs = BitConverter.ToInt16(ref_.Data!, (int)(2 * (di + nd[1] * (dj + nd[2] * (long)dk))));
                    if (built.Volume[i, j, k] != theirs) mismatches++;
                }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"voxel mismatches: {mismatches} of {(long)n[0] * n[1] * n[2]} (dcm2niix slices {nzd})"));
        Assert.Equal(0, mismatches);
    }
}
