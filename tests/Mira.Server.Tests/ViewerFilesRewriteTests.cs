using System.Text;
using Mira.Server.Viewer;

namespace Mira.Server.Tests;

/// <summary>The viewer package's root-absolute paths rewritten to the base path, in UTF-8 bytes.</summary>
public class ViewerFilesRewriteTests
{
    static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Index_html_gets_the_base_path_in_every_root_absolute_reference()
    {
        var html = Utf8("<script>window.PUBLIC_URL=\"/\"</script><link href=\"/app.css\"><script src=\"/app.bundle.js\"></script><a href=\"/x\">é</a>");
        var rewritten = Encoding.UTF8.GetString(ViewerFiles.RewriteIndex(html, "/mira/viewer/"));
        Assert.Equal("<script>window.PUBLIC_URL=\"/mira/viewer/\"</script><link href=\"/mira/viewer/app.css\">"
                     + "<script src=\"/mira/viewer/app.bundle.js\"></script><a href=\"/mira/viewer/x\">é</a>", rewritten);
    }

    [Fact]
    public void A_bundle_gets_webpacks_public_path_and_the_microscopy_import_rewritten()
    {
        var bundle = Utf8("a;__webpack_require__.p = \"/\";b('/dicom-microscopy-viewer/x.js');c('/dicom-microscopy-viewer/y.js')");
        Assert.Equal("a;__webpack_require__.p = \"/viewer/\";b('/viewer/dicom-microscopy-viewer/x.js');c('/viewer/dicom-microscopy-viewer/y.js')",
            Encoding.UTF8.GetString(ViewerFiles.RewriteBundle(bundle, "/viewer/")));
    }

    [Fact]
    public void A_file_without_root_absolute_references_is_returned_as_it_is()
    {
        var styles = Utf8("body { background: url(fonts/a.woff2) }");
        Assert.Same(styles, ViewerFiles.RewriteStyles(styles, "/viewer/"));
        var bundle = Utf8("var p = \"/api\";");
        Assert.Same(bundle, ViewerFiles.RewriteBundle(bundle, "/viewer/"));
    }

    [Fact]
    public void Style_sheets_get_the_base_path_in_root_absolute_urls_at_the_start_and_end_of_the_file()
    {
        var styles = Utf8("url(/a.woff2) x url(/b.woff2)");
        Assert.Equal("url(/viewer/a.woff2) x url(/viewer/b.woff2)", Encoding.UTF8.GetString(ViewerFiles.RewriteStyles(styles, "/viewer/")));
    }
}
