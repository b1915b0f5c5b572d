using MonitoredService.FaultInjection;
using MonitoredService.Hosting;
using MonitoredService.Items;
using MonitoredService.Observability;
using MonitoredService.Observability.Health;
using MonitoredService.Security;

if (HealthCheckCommand.IsRequested(args))
{
    return await HealthCheckCommand.RunAsync(args, Console.Out); // Docker's HEALTHCHECK: no shell, no curl in the image
}

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddServerLimits();
builder.AddApiSecurity();
builder.AddItemStore();
builder.AddFaultInjection();

var app = builder.Build();

app.UseObservability();
app.UseApiSecurity();
app.UseFaultInjection();

app.MapObservabilityEndpoints();
app.MapGroup("/api").RequireApiSecurity().MapItemsApi();

app.Run();
return 0;
