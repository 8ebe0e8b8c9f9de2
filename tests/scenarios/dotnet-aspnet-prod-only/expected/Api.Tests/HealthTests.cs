using Xunit;

public class HealthTests
{
    [Fact]
    public void HealthRouteAnswersOk()
    {
        Assert.Equal("ok\n", Health.Status());
    }
}
