using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;
// gcwatch PID SECONDS: every GC (gen, type, reason) and its suspension pause, with wall-clock time.
int pid = int.Parse(args[0]); int seconds = int.Parse(args[1]);
var client = new DiagnosticsClient(pid);
var providers = new[] { new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, (long)(ClrTraceEventParser.Keywords.GC)) };
using var session = client.StartEventPipeSession(providers, requestRundown: false);
var source = new EventPipeEventSource(session.EventStream);
double suspendStart = 0; int gen = -1; string type = "", reason = "";
source.Clr.GCStart += e => { gen = e.Depth; type = e.Type.ToString(); reason = e.Reason.ToString(); };
source.Clr.GCSuspendEEStart += e => suspendStart = e.TimeStampRelativeMSec;
source.Clr.GCRestartEEStop += e => Console.WriteLine($"{e.TimeStamp:HH:mm:ss.fff} gen{gen} {type} {reason} pause {e.TimeStampRelativeMSec - suspendStart:F1} ms");
var stop = Task.Delay(seconds * 1000).ContinueWith(_ => session.Stop());
source.Process();
