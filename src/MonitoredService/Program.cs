using MonitoredService.FaultInjection;
using MonitoredService.Hosting;
using MonitoredService.Items;
using MonitoredService.Observability;
using MonitoredService.Observability.Health;

if (HealthCheckCommand.IsRequested(args))
{
    return await HealthCheckCommand.RunAsync(args, Console.Out); // Docker's HEALTHCHECK: no shell, no curl in the image
}

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddServerLimits();
builder.AddItemStore();
builder.AddFaultInjection();

var app = builder.Build();

app.UseObservability();
app.UseFaultInjection();

app.MapObservabilityEndpoints();
app.MapItemsApi();

app.Run();
return 0;
