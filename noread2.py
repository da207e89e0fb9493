import socket, time, sys, subprocess, threading, json
port=int(sys.argv[1]); n=int(sys.argv[2]); path=sys.argv[3]; dur=int(sys.argv[4])
socks=[]
def pump(s):
    req=f'GET {path} HTTP/1.1\r\nHost: x\r\n\r\n'.encode()*50
    s.settimeout(None)
    try:
        while True: s.sendall(req)
    except Exception as e: print('pump ended', e)
for i in range(n):
    s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(('127.0.0.1',port)); socks.append(s)
    threading.Thread(target=pump,args=(s,),daemon=True).start()
t0=time.time()
while time.time()-t0 < dur:
    time.sleep(5)
    r=subprocess.run(['curl','-s','-m','5','-w',' %{http_code}','http://127.0.0.1:%d/health'%port],capture_output=True,text=True)
    try: c=json.loads(r.stdout[:-4])['connections']
    except Exception: c=r.stdout[:60]
    print(f't={int(time.time()-t0)}s health:', r.stdout[-4:], c, flush=True)
