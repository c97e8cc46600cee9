using Mira.Dicom;
using Mira.Dicom.Network;

namespace Mira.Dicom.Network.Tests;

public class RetrieveResultTests
{
    [Fact]
    public void The_final_response_yields_every_failed_instance_of_the_list_not_only_the_first()
    {
        var request = DimseMessages.MoveRequest(7, DicomUids.StudyRootQueryRetrieveInformationModelMove, "DEST",
            new DicomDataset().Set(DicomTags.QueryRetrieveLevel, "STUDY"));
        var response = DimseMessages.RetrieveResponse(request, DicomStatus.SubOperationsCompleteWithFailures, new SubOperationCounts(0, 1, 3, 0),
            ["1.2.3.1", "1.2.3.2", "1.2.3.3"]);
        var result = QueryRetrieveScu.Final(response);
        Assert.Equal(["1.2.3.1", "1.2.3.2", "1.2.3.3"], result.FailedInstances);
        Assert.Equal(DicomStatus.SubOperationsCompleteWithFailures, result.Status);
    }
}
