using Microsoft.Extensions.Configuration;
using MonitoredService.Observability.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace MonitoredService.Unit.Tests.Logging;

/// <summary>
/// The levels in force through a real Serilog logger: configured ones, overrides of configured and
/// of unconfigured categories (a switch lowered, then the filter), the longest prefix winning.
/// </summary>
public sealed class LogLevelsTests
{
    private readonly List<LogEvent> _written = [];

    [Fact]
    public void TheCodesDefaultsHoldAndTheConfigurationOverridesThem()
    {
        var levels = Levels(("Serilog:MinimumLevel:Default", "Warning"), ("Serilog:MinimumLevel:Override:Items", "debug"));

        levels.Configured[LogLevels.Default].Should().Be(LogEventLevel.Warning);
        levels.Configured["Items"].Should().Be(LogEventLevel.Debug);
        levels.Configured["Microsoft.AspNetCore"].Should().Be(LogEventLevel.Warning, "a default of the code stays unless configured");
        levels.EffectiveLevel("Items.Store").Should().Be(LogEventLevel.Debug);
        levels.EffectiveLevel("ItemsOther").Should().Be(LogEventLevel.Warning, "a prefix counts at a dot only");
        levels.EffectiveLevel("").Should().Be(LogEventLevel.Warning);
    }

    [Fact]
    public void ALevelThatIsNotOneStopsTheStartNamingItsKey()
    {
        var act = () => Levels(("Serilog:MinimumLevel:Override:Items", "Loud"));

        act.Should().Throw<InvalidOperationException>().WithMessage("Serilog:MinimumLevel:Override:Items: 'Loud' is not a level*");
    }

    [Fact]
    public void AnOverrideOfAnUnconfiguredCategoryLetsItsDebugEventsThroughAndNoOtherCategorys()
    {
        var levels = Levels();
        var logger = Logger(levels);

        levels.Apply(new Dictionary<string, LogEventLevel> { ["App.Items"] = LogEventLevel.Debug });
        logger.ForContext(Constants.SourceContextPropertyName, "App.Items.Store").Debug("wanted");
        logger.ForContext(Constants.SourceContextPropertyName, "App.Other").Debug("not wanted");
        logger.Debug("not wanted either: no source context");
        logger.ForContext(Constants.SourceContextPropertyName, "Microsoft.AspNetCore.Routing").Information("below its own Warning");
        levels.Apply(new Dictionary<string, LogEventLevel>());
        logger.ForContext(Constants.SourceContextPropertyName, "App.Items.Store").Debug("reverted");

        _written.Select(e => e.MessageTemplate.Text).Should().Equal("wanted");
    }

    [Fact]
    public void AnOverrideOfAConfiguredCategoryMovesItsSwitchAndTheLongestPrefixStillWins()
    {
        var levels = Levels(("Serilog:MinimumLevel:Override:Microsoft.AspNetCore.Routing", "Error"));
        var logger = Logger(levels);

        levels.Apply(new Dictionary<string, LogEventLevel> { ["Microsoft.AspNetCore"] = LogEventLevel.Debug, ["Microsoft"] = LogEventLevel.Verbose });
        logger.ForContext(Constants.SourceContextPropertyName, "Microsoft.AspNetCore.Hosting").Debug("wanted");
        logger.ForContext(Constants.SourceContextPropertyName, "Microsoft.AspNetCore.Routing").Warning("its own Error is longer");
        logger.ForContext(Constants.SourceContextPropertyName, "Microsoft.Extensions.Hosting").Verbose("also wanted");

        _written.Select(e => e.MessageTemplate.Text).Should().Equal("wanted", "also wanted");
        levels.EffectiveLevel("Microsoft.AspNetCore.Routing").Should().Be(LogEventLevel.Error);
    }

    [Fact]
    public void OnlyLevelNamesParse()
    {
        LogLevels.TryParse("Information", out _).Should().BeTrue();
        LogLevels.TryParse("verbose", out _).Should().BeTrue();
        LogLevels.TryParse("2", out _).Should().BeFalse("a number is not a level name");
        LogLevels.TryParse("Trace", out _).Should().BeFalse("Serilog's names, not Microsoft.Extensions.Logging's");
        LogLevels.TryParse(null, out _).Should().BeFalse();
    }

    private static LogLevels Levels(params (string Key, string Value)[] settings) =>
        LogLevels.From(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(setting => new KeyValuePair<string, string?>(setting.Key, setting.Value)))
            .Build());

    private Logger Logger(LogLevels levels) =>
        levels.ApplyTo(new LoggerConfiguration()).WriteTo.Sink(new Collecting(_written)).CreateLogger();

    private sealed class Collecting(List<LogEvent> into) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => into.Add(logEvent);
    }
}
