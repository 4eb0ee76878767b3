# A second client for the low-rate floor: Python grpcio (C core), one call at a time every 20 ms, latency from the send.
import sys, time, random, json
sys.path.insert(0, '/tmp/pyc')
import grpc
from recsys.v1 import recommender_pb2 as r, recommender_pb2_grpc as rg, common_pb2 as c
target, key, kind, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ch = grpc.insecure_channel(target)
stub = rg.RecommenderStub(ch)
md = (('x-api-key', key),)
rnd = random.Random(42)
def call():
    if kind == 'rec':
        stub.Recommend(r.RecommendRequest(user=c.Id(num=rnd.randint(1, 1000000)), k=10), metadata=md, timeout=5)
    else:
        stub.SimilarItems(r.SimilarItemsRequest(item=c.Id(num=rnd.randint(1, 1000000)), k=10), metadata=md, timeout=5)
for _ in range(50): call()
lat = []
nxt = time.perf_counter()
for i in range(n):
    nxt += 0.02
    t0 = time.perf_counter(); call(); lat.append((time.perf_counter() - t0) * 1000)
    d = nxt - time.perf_counter()
    if d > 0: time.sleep(d)
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print(json.dumps({'client': 'python-grpcio-' + grpc.__version__, 'kind': kind, 'n': n, 'p50_ms': round(q(.5), 3), 'p95_ms': round(q(.95), 3), 'p99_ms': round(q(.99), 3), 'max_ms': round(lat[-1], 3)}))
